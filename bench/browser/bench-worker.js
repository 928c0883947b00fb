// Runs inside a module Web Worker: the floor and @rkat/web side by side
// (MeerkatRuntime directly in the Worker, wasm loaded the browser way), and
// the bug checks. Answers one command per message with raw samples.
import { MeerkatRuntime } from "@rkat/web";
import * as wasm from "@rkat/web/wasm/meerkat_web_runtime.js";
import { runChecks } from "../checks.mjs";
import { createBenchRuntime, measure, runFloor, runStream, runTurnPoll } from "../contestants.mjs";
import { cutEvery, makeBody } from "../sse-body.mjs";

async function events({ runs, warmup, sizes }) {
  const body = makeBody();
  const bench = await createBenchRuntime(MeerkatRuntime, wasm);
  const bySize = {};
  for (const size of sizes) {
    const chunks = cutEvery(body.bytes, size);
    const times = await measure(
      {
        floor: () => runFloor(chunks),
        stream: () => runStream(bench, chunks),
        turnPoll: () => runTurnPoll(bench, chunks),
      },
      body,
      { runs, warmup },
    );
    bySize[size] = { chunks: chunks.length, ms: times };
  }
  bench.runtime.destroy();
  return { events: body.count, bytes: body.bytes.length, bySize };
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
