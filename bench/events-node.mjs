// Per-event cost in Node: the floor vs @rkat/web (stream and turn+poll),
// same chunks, same in-memory Response, interleaved runs. Returns raw ms
// per run in the same shape as the browser Worker's `events` command.
import { MeerkatRuntime } from "../dist/index.js";
import * as pkgWasm from "../pkg/meerkat_web_runtime.js";
import { createBenchRuntime, measure, runFloor, runStream, runTurnPoll } from "./contestants.mjs";
import { cutEvery, makeBody } from "./sse-body.mjs";

/** `wasm`: another initialised wasm-bindgen glue module to measure (default: pkg/). */
export async function benchEventsNode({ runs, warmup, sizes, wasm = pkgWasm }) {
  const body = makeBody();
  const bench = await createBenchRuntime(MeerkatRuntime, wasm);
  const bySize = {};
  for (const size of sizes) {
    const chunks = cutEvery(body.bytes, size);
    const ms = await measure(
      {
        floor: () => runFloor(chunks),
        stream: () => runStream(bench, chunks),
        turnPoll: () => runTurnPoll(bench, chunks),
      },
      body,
      { runs, warmup },
    );
    bySize[size] = { chunks: chunks.length, ms };
  }
  bench.runtime.destroy();
  return { events: body.count, bytes: body.bytes.length, bySize };
}
