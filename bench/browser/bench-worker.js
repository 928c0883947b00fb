// Runs inside a module Web Worker: the floor and @rkat/web side by side
// (MeerkatRuntime directly in the Worker, wasm loaded the browser way), and
// the bug checks. Answers one command per message with raw samples.
import { MeerkatRuntime } from "@rkat/web";
import * as wasm from "@rkat/web/wasm/meerkat_web_runtime.js";
import { runChecks } from "../checks.mjs";
import { benchEvents } from "../events.mjs";

/** opts: { runs, warmup, sizes, provider }. */
function events(opts) {
  return benchEvents(MeerkatRuntime, wasm, opts);
}

const commands = {
  events,
  checks: () => runChecks(MeerkatRuntime, wasm),
};

self.onmessage = async ({ data }) => {
  try {
    postMessage({ ok: await commands[data.cmd](data.opts ?? {}) });
  } catch (error) {
    postMessage({ error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) });
  }
};
