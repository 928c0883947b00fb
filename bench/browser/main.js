// The bench page. The runner (runner.mjs) calls the functions on
// `window.bench` through page.evaluate and gets raw samples (ms) back.
import { connectRuntime } from "@rkat/web/worker";
import { BENCH_CONFIG } from "../contestants.mjs";
import { bridge, bridgeProfile } from "./bridge.js";
import { mobBridge } from "./bridge-mob.js";

// Vite only rewrites `new Worker(new URL(literal, import.meta.url))` written out in full.
const spawn = {
  bench: () => new Worker(new URL("./bench-worker.js", import.meta.url), { type: "module" }),
  bridge: () => new Worker(new URL("./bridge-worker.js", import.meta.url), { type: "module" }),
  runtime: () => new Worker(new URL("./runtime-worker.js", import.meta.url), { type: "module" }),
  runtimeStatic: () => new Worker(new URL("./runtime-static-worker.js", import.meta.url), { type: "module" }),
  empty: () => new Worker(new URL("./empty-worker.js", import.meta.url), { type: "module" }),
};

/** One command to a fresh bench worker. */
function inWorker(cmd, opts) {
  const worker = spawn.bench();
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => (data.error ? reject(new Error(data.error)) : resolve(data.ok));
    worker.onerror = (event) => reject(new Error(`bench worker: ${event.message}`));
    worker.postMessage({ cmd, opts });
  }).finally(() => worker.terminate());
}

/**
 * new Worker() → "ready" from an empty module worker, and → connectRuntime
 * resolved (wasm fetched, compiled, core constructed) with the README's
 * worker and with the glue imported statically. Interleaved rounds.
 */
async function ready({ runs, warmup }) {
  const empty = async () => {
    const t0 = performance.now();
    const worker = spawn.empty();
    await new Promise((resolve, reject) => {
      worker.onmessage = resolve;
      worker.onerror = (event) => reject(new Error(`empty worker: ${event.message}`));
    });
    const ms = performance.now() - t0;
    worker.terminate();
    return ms;
  };
  const runtime = (which) => async () => {
    const t0 = performance.now();
    const worker = spawn[which]();
    const remote = await connectRuntime(worker, BENCH_CONFIG);
    const ms = performance.now() - t0;
    await remote.destroy();
    worker.terminate();
    return ms;
  };
  const contestants = { empty, runtime: runtime("runtime"), runtimeStatic: runtime("runtimeStatic") };
  const out = { empty: [], runtime: [], runtimeStatic: [], first: {} };
  for (let round = 0; round < warmup + runs; round++) {
    for (const [name, run] of Object.entries(contestants)) {
      const ms = await run();
      if (round === 0) out.first[name] = ms;
      if (round >= warmup) out[name].push(ms);
    }
  }
  return out;
}

window.bench = {
  events: (opts) => inWorker("events", opts),
  checks: () => inWorker("checks"),
  bridge: (opts) => bridge(spawn.bridge, opts),
  bridgeProfile: (opts) => bridgeProfile(spawn.bridge, opts),
  mobBridge: (opts) => mobBridge(spawn.bridge, opts),
  ready,
  userAgent: () => navigator.userAgent,
};
document.title = "bench ready";
