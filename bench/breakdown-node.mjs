// Where the runtime's time goes per event, in Node: the wasm entry points
// and JSON.parse are wrapped with timers for the duration of the runs (and
// restored after), and the rest is everything else (driver, streams, the
// EventStream's async iteration). Wrapping costs one performance.now() pair
// per call: a few hundred calls per run, negligible next to 20,000 events.
import { MeerkatRuntime } from "../dist/index.js";
import * as pkgWasm from "../pkg/meerkat_web_runtime.js";
import { createBenchRuntime, runStream, runTurnPoll, verify } from "./contestants.mjs";
import { PROVIDERS } from "./providers.mjs";
import { cutEvery, makeBody } from "./sse-body.mjs";
import { summarize } from "./stats.mjs";

export const PARTS = {
  pushBody: "wasm pushBody (SSE framing, JSON parse, event queue)",
  drainEvents: "wasm drainEvents (batch JSON out, UTF-8 decode)",
  jsonParse: "JSON.parse in JS (event batches, replies)",
  command: "wasm command (create, turn, head, end, destroy)",
  rest: "rest (driver, streams, EventStream iteration)",
};

const MODES = { turnPoll: runTurnPoll, stream: runStream };

/**
 * `wasm`: another initialised wasm-bindgen glue module to measure (default:
 * pkg/); `provider`: a key of PROVIDERS; `modes`: which of turnPoll, stream.
 */
export async function breakdownNode({ runs, warmup, size, wasm = pkgWasm, provider = "anthropic", modes = Object.keys(MODES) }) {
  const spec = PROVIDERS[provider];
  const body = makeBody(undefined, undefined, provider);
  const chunks = cutEvery(body.bytes, size);
  const bench = await createBenchRuntime(MeerkatRuntime, wasm, spec.config, spec);
  const acc = { pushBody: 0, drainEvents: 0, jsonParse: 0, command: 0 };
  const proto = wasm.Core.prototype;
  const originals = { pushBody: proto.pushBody, drainEvents: proto.drainEvents, command: proto.command, parse: JSON.parse };
  for (const name of ["pushBody", "drainEvents", "command"]) {
    const original = originals[name];
    proto[name] = function (...args) {
      const t0 = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        acc[name] += performance.now() - t0;
      }
    };
  }
  const parse = originals.parse;
  const out = {};
  try {
    for (const mode of modes) {
      const run = MODES[mode];
      const samples = { total: [], rest: [], pushBody: [], drainEvents: [], jsonParse: [], command: [] };
      for (let round = 0; round < warmup + runs; round++) {
        for (const key of Object.keys(acc)) acc[key] = 0;
        JSON.parse = function (text, reviver) {
          const t0 = performance.now();
          try {
            return parse(text, reviver);
          } finally {
            acc.jsonParse += performance.now() - t0;
          }
        };
        const t0 = performance.now();
        let events;
        try {
          events = await run(bench, chunks);
        } finally {
          JSON.parse = parse;
        }
        const total = performance.now() - t0;
        verify(`breakdown ${provider} ${mode}`, events, body);
        if (round < warmup) continue;
        const perEvent = 1e6 / body.count;
        let known = 0;
        for (const [key, ms] of Object.entries(acc)) {
          samples[key].push(ms * perEvent);
          known += ms;
        }
        samples.total.push(total * perEvent);
        samples.rest.push((total - known) * perEvent);
      }
      out[mode] = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
    }
  } finally {
    Object.assign(proto, { pushBody: originals.pushBody, drainEvents: originals.drainEvents, command: originals.command });
    JSON.parse = parse;
    bench.runtime.destroy();
  }
  return { provider, size, chunks: chunks.length, events: body.count, bytes: body.bytes.length, nsPerEvent: out };
}
