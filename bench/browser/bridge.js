// The bridge benchmarks of the bench page: per text_delta through
// `connectRuntime` + `stream()` against the floor on the main thread, and
// where that time goes on each side of the bridge (bridge-probe.js in the
// Worker, the wrapped message listener and JSON.parse here).
import { connectRuntime } from "@rkat/web/worker";
import { BENCH_CONFIG, PROMPT, measure, runFloor, verify } from "../contestants.mjs";
import { cutEvery, makeBody } from "../sse-body.mjs";

const now = () => performance.timeOrigin + performance.now();

/** The Worker's message listeners (the RPC's), timed while `probe.on`. */
export function probedWorker(spawn) {
  const worker = spawn();
  const probe = { on: false, wrapped: false, acc: undefined };
  const add = worker.addEventListener.bind(worker);
  worker.addEventListener = (type, listener, options) => {
    if (type !== "message" || probe.wrapped) return add(type, listener, options);
    probe.wrapped = true; // the first is the RPC's (connectRuntime)
    return add(
      type,
      (event) => {
        if (!probe.on) return listener(event);
        const t0 = performance.now();
        const data = event.data; // deserialized on first access
        const t1 = performance.now();
        listener(event);
        const t2 = performance.now();
        const acc = probe.acc;
        acc.messages++;
        acc.messageData += t1 - t0;
        acc.listener += t2 - t1;
        if (data?.rkat === "call") acc.arrivals.push(now());
        // [when it was dispatched, deserialize ms, listener ms, kind]: for a timeline by hand.
        acc.log?.push([now() - (t2 - t0), t1 - t0, t2 - t1, data?.rkat]);
      },
      options,
    );
  };
  return { worker, probe };
}

/** A message to the Worker's probe, and its answer when it has one. */
export function toProbe(worker, command) {
  if (command === "start") {
    worker.postMessage({ benchProbe: "start" });
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const onMessage = ({ data }) => {
      if (data?.benchProbe === undefined || typeof data.benchProbe === "string") return;
      worker.removeEventListener("message", onMessage);
      resolve(data.benchProbe);
    };
    worker.addEventListener("message", onMessage);
    worker.postMessage({ benchProbe: command });
  });
}

/** A runtime in a fresh bridge Worker whose fetch serves `size`-byte reads. */
async function bridgeRuntime(spawn, size) {
  const { worker, probe } = probedWorker(spawn);
  const runtime = await connectRuntime(worker, {
    ...BENCH_CONFIG,
    anthropicBaseUrl: `http://127.0.0.1:9/bench-chunk-${size}/anthropic`,
  });
  return { worker, probe, runtime };
}

/** One stream through the bridge; every event, in order. */
async function streamOnce(runtime, sessions) {
  const session = await runtime.createSession();
  sessions.push(session); // destroyed after the timings
  const events = [];
  for await (const event of session.stream(PROMPT)) events.push(event);
  return events;
}

/** End to end through the Worker bridge vs the floor on the main thread. */
export async function bridge(spawn, { runs, warmup, sizes }) {
  const body = makeBody();
  const bySize = {};
  for (const size of sizes) {
    const { worker, runtime } = await bridgeRuntime(spawn, size);
    const chunks = cutEvery(body.bytes, size);
    const sessions = [];
    const times = await measure(
      {
        floorMain: () => runFloor(chunks),
        bridgeStream: () => streamOnce(runtime, sessions),
      },
      body,
      { runs, warmup },
    );
    for (const session of sessions) await session.destroy();
    await runtime.destroy();
    worker.terminate();
    bySize[size] = { chunks: chunks.length, ms: times };
  }
  return { events: body.count, bytes: body.bytes.length, bySize };
}

/**
 * Where the bridge's time goes: streams run with both probes on (their
 * totals include the probes' own cost: a few hundred timer pairs a run),
 * one floor run beside each for scale. Raw ms per run.
 */
export async function bridgeProfile(spawn, { runs, warmup, sizes }) {
  const body = makeBody();
  const bySize = {};
  for (const size of sizes) {
    const { worker, probe, runtime } = await bridgeRuntime(spawn, size);
    const chunks = cutEvery(body.bytes, size);
    const sessions = [];
    const samples = [];
    const parse = JSON.parse;
    const decode = TextDecoder.prototype.decode;
    for (let round = 0; round < warmup + runs; round++) {
      const f0 = performance.now();
      verify("floorMain", await runFloor(chunks), body);
      const floor = performance.now() - f0;

      const page = { messages: 0, messageData: 0, listener: 0, jsonParse: 0, textCodec: 0, arrivals: [], log: [] };
      probe.acc = page;
      await toProbe(worker, "start");
      JSON.parse = function (text, reviver) {
        const t0 = performance.now();
        try {
          return parse(text, reviver);
        } finally {
          page.jsonParse += performance.now() - t0;
        }
      };
      TextDecoder.prototype.decode = function (...args) {
        const t0 = performance.now();
        try {
          return decode.apply(this, args);
        } finally {
          page.textCodec += performance.now() - t0;
        }
      };
      probe.on = true;
      const startedAt = now();
      const t0 = performance.now();
      let events;
      try {
        events = await streamOnce(runtime, sessions);
      } finally {
        probe.on = false;
        JSON.parse = parse;
        TextDecoder.prototype.decode = decode;
      }
      const total = performance.now() - t0;
      const endedAt = now();
      const workerSide = await toProbe(worker, "take");
      verify("bridgeStream (probed)", events, body);
      if (round < warmup) continue;
      samples.push({ floor, total, startedAt, endedAt, page, worker: workerSide });
    }
    for (const session of sessions) await session.destroy();
    await runtime.destroy();
    worker.terminate();
    bySize[size] = { chunks: chunks.length, samples };
  }
  return { events: body.count, bytes: body.bytes.length, bySize };
}
