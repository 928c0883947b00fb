// Bug checks the reference implementation fails. Pass/fail lines, no timings.
// Shared by Node and the browser Worker (the package is passed in).
import { BENCH_CONFIG, createBenchRuntime, deltaText, runFloor, runStream, runTurnPoll } from "./contestants.mjs";
import { cutAt, cutEvery, makeBody, multiByteSpans } from "./sse-body.mjs";

/** Run `fn`; a pass/fail record with a short detail. */
async function check(name, fn) {
  try {
    const detail = await fn();
    return { name, pass: true, detail };
  } catch (error) {
    return { name, pass: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

function expectText(what, events, body) {
  const { text, count } = deltaText(events);
  if (count === 0 || text !== body.expectedText) {
    let at = 0;
    while (at < text.length && text[at] === body.expectedText[at]) at++;
    throw new Error(`${what}: text differs at char ${at} (${count} deltas, ${text.length} chars, expected ${body.expectedText.length})`);
  }
}

/** Returns [{ name, pass, detail }]. */
export async function runChecks(MeerkatRuntime, wasm) {
  const results = [];
  const big = makeBody();
  const bigChunks = cutEvery(big.bytes, 16 * 1024);

  // 1. No silent cap on queued events: turn() then ONE pollEvents() must
  //    return all 20,000 deltas, with the bench config and with the
  //    package's default queue capacity.
  for (const [label, config] of [
    ["eventQueueCapacity 100000", BENCH_CONFIG],
    ["default eventQueueCapacity", { ...BENCH_CONFIG, eventQueueCapacity: undefined }],
  ]) {
    results.push(
      await check(`turn() + one pollEvents() delivers all ${big.count} text_delta events (${label})`, async () => {
        const bench = await createBenchRuntime(MeerkatRuntime, wasm, JSON.parse(JSON.stringify(config)));
        try {
          const events = await runTurnPoll(bench, bigChunks);
          const { count } = deltaText(events);
          const truncated = events.some((e) => e.type === "stream_truncated");
          if (count !== big.count || truncated) {
            throw new Error(`got ${count} text_delta events${truncated ? " and a stream_truncated event" : ""}`);
          }
          expectText("turn+poll", events, big);
          return `${count} text_delta, ${events.length} events in one poll`;
        } finally {
          bench.runtime.destroy();
        }
      }),
    );
  }

  // 1b. A queue that does overflow says so (a stream_truncated event), never silently.
  results.push(
    await check("an overflowing event queue (capacity 1000) is marked with stream_truncated, not silent", async () => {
      const bench = await createBenchRuntime(MeerkatRuntime, wasm, { ...BENCH_CONFIG, eventQueueCapacity: 1000 });
      try {
        const events = await runTurnPoll(bench, bigChunks);
        const marker = events.find((e) => e.type === "stream_truncated");
        if (!marker) throw new Error(`${events.length} events and no stream_truncated event`);
        return `${events.length} events returned, among them ${JSON.stringify(marker)}`;
      } finally {
        bench.runtime.destroy();
      }
    }),
  );

  // 2. UTF-8 split across chunk boundaries.
  const small = makeBody(400, 7);
  const bench = await createBenchRuntime(MeerkatRuntime, wasm);
  const spans = multiByteSpans(small.bytes);
  const both = async (what, chunks) => {
    expectText(`@rkat/web stream, ${what}`, await runStream(bench, chunks), small);
    expectText(`@rkat/web turn+poll, ${what}`, await runTurnPoll(bench, chunks), small);
    expectText(`floor, ${what}`, await runFloor(chunks), small);
  };
  for (const size of [1, 2, 3, 5, 7]) {
    results.push(
      await check(`UTF-8 split: ${size}-byte chunks (${small.bytes.length} B, ${small.count} deltas) give identical text`, async () => {
        await both(`${size}-byte chunks`, cutEvery(small.bytes, size));
        return "runtime (stream, turn+poll) and floor match the expected text";
      }),
    );
  }
  results.push(
    await check(`UTF-8 split: a cut at every byte offset around ${spans.length} distinct multi-byte characters`, async () => {
      let cuts = 0;
      for (const [start, end] of spans) {
        for (let at = Math.max(1, start - 1); at <= Math.min(small.bytes.length - 1, end + 1); at++) {
          await both(`cut at byte ${at} (char at ${start}..${end})`, cutAt(small.bytes, [at]));
          cuts++;
        }
      }
      return `${cuts} cuts, every one identical`;
    }),
  );
  bench.runtime.destroy();
  return results;
}
