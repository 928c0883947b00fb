// The per-event benchmark of one wire format, shared by Node and the
// browser Worker (the package is passed in): the provider's floor vs
// @rkat/web (stream and turn+poll), same chunks, same in-memory Response,
// interleaved runs. Returns raw ms per run.
import { createBenchRuntime, measure, runFloor, runStream, runTurnPoll } from "./contestants.mjs";
import { PROVIDERS } from "./providers.mjs";
import { cutEvery, makeBody } from "./sse-body.mjs";

export async function benchEvents(MeerkatRuntime, wasm, { runs, warmup, sizes, provider = "anthropic" }) {
  const spec = PROVIDERS[provider];
  if (!spec) throw new Error(`unknown provider ${provider}`);
  const body = makeBody(undefined, undefined, provider);
  const bench = await createBenchRuntime(MeerkatRuntime, wasm, spec.config, spec);
  const bySize = {};
  for (const size of sizes) {
    const chunks = cutEvery(body.bytes, size);
    const ms = await measure(
      {
        floor: () => runFloor(chunks, spec.floor),
        stream: () => runStream(bench, chunks),
        turnPoll: () => runTurnPoll(bench, chunks),
      },
      body,
      { runs, warmup },
    );
    bySize[size] = { chunks: chunks.length, ms };
  }
  const requests = bench.requests;
  bench.runtime.destroy();
  const expected = sizes.length * (warmup + runs) * 2;
  if (requests !== expected) throw new Error(`${provider}: ${requests} requests, expected ${expected}`);
  return { provider, events: body.count, bytes: body.bytes.length, bySize };
}
