// Per-event cost in Node: the floor vs @rkat/web (stream and turn+poll),
// same chunks, same in-memory Response, interleaved runs, for one wire
// format (events.mjs). Returns raw ms per run in the same shape as the
// browser Worker's `events` command.
import { MeerkatRuntime } from "../dist/index.js";
import * as pkgWasm from "../pkg/meerkat_web_runtime.js";
import { benchEvents } from "./events.mjs";

/** `wasm`: another initialised wasm-bindgen glue module to measure (default: pkg/); `provider`: a key of PROVIDERS. */
export function benchEventsNode({ runs, warmup, sizes, wasm = pkgWasm, provider = "anthropic" }) {
  return benchEvents(MeerkatRuntime, wasm, { runs, warmup, sizes, provider });
}
