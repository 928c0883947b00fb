// The contestants and the measuring loop, shared by Node and the browser
// Worker. The package is passed in (MeerkatRuntime + wasm namespace) so each
// realm imports the built package its own way.
import { floorParse } from "./floor.mjs";
import { sseResponse } from "./sse-body.mjs";

export const PROMPT = "Describe the weather in Paris.";

/** The runtime config of the brief; the base URL is never contacted (fetch is injected). */
export const BENCH_CONFIG = {
  anthropicApiKey: "x",
  anthropicBaseUrl: "http://127.0.0.1:9/anthropic",
  model: "claude-sonnet-4-6",
  eventQueueCapacity: 100000,
};

/**
 * A runtime whose injected fetch answers every request with a fresh stream
 * over the chunks last passed to `serve`. `config` overrides BENCH_CONFIG;
 * `session` is the config of every session created (the provider's model);
 * `url`, when given, is the only URL the fetch answers.
 */
export async function createBenchRuntime(MeerkatRuntime, wasm, config = BENCH_CONFIG, { session, url: only } = {}) {
  let next;
  let requests = 0;
  const fetch = async (url) => {
    if (!String(url).startsWith("http://127.0.0.1:9/")) throw new Error(`bench fetch: unexpected URL ${url}`);
    if (only && String(url) !== only) throw new Error(`bench fetch: expected ${only}, got ${url}`);
    if (!next) throw new Error("bench fetch: no body queued");
    requests++;
    return sseResponse(next);
  };
  const runtime = await MeerkatRuntime.init(wasm, config, { fetch });
  return {
    runtime,
    session,
    serve(chunks) {
      next = chunks;
    },
    get requests() {
      return requests;
    },
  };
}

/** The floor over the chunks (the Anthropic one unless given); returns its text_delta events. */
export function runFloor(chunks, floor = floorParse) {
  return floor(sseResponse(chunks));
}

/** `session.stream()` consumed with `for await`; returns every event. */
export async function runStream(bench, chunks) {
  bench.serve(chunks);
  const session = bench.runtime.createSession(bench.session);
  const events = [];
  for await (const event of session.stream(PROMPT)) events.push(event);
  session.destroy();
  return events;
}

/** `await session.turn()` then one `session.pollEvents()`; returns every event. */
export async function runTurnPoll(bench, chunks) {
  bench.serve(chunks);
  const session = bench.runtime.createSession(bench.session);
  await session.turn(PROMPT);
  const events = session.pollEvents();
  session.destroy();
  return events;
}

/** Concatenated text_delta text and their count. */
export function deltaText(events) {
  let text = "";
  let count = 0;
  for (const e of events) {
    if (e.type === "text_delta") {
      text += e.delta;
      count++;
    }
  }
  return { text, count };
}

/** Throw unless the events carry exactly the expected text in `count` deltas. */
export function verify(name, events, body) {
  const { text, count } = deltaText(events);
  if (count !== body.count || text !== body.expectedText) {
    let at = 0;
    while (at < text.length && text[at] === body.expectedText[at]) at++;
    throw new Error(
      `${name}: wrong output: ${count} text_delta events (expected ${body.count}), text ${text.length} chars (expected ${body.expectedText.length}), first difference at char ${at}: ${JSON.stringify(text.slice(at, at + 20))} vs ${JSON.stringify(body.expectedText.slice(at, at + 20))}`,
    );
  }
}

/**
 * Time the contestants interleaved (one run of each per round, so noise
 * hits all of them alike), after `warmup` rounds. Every run's output is
 * verified outside the timed section. Returns ms per run for each.
 */
export async function measure(contestants, body, { runs, warmup }) {
  const times = Object.fromEntries(Object.keys(contestants).map((name) => [name, []]));
  for (let round = 0; round < warmup + runs; round++) {
    for (const [name, run] of Object.entries(contestants)) {
      const t0 = performance.now();
      const events = await run();
      const ms = performance.now() - t0;
      verify(name, events, body);
      if (round >= warmup) times[name].push(ms);
    }
  }
  return times;
}
