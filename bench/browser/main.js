// The bench page. The runner (runner.mjs) calls the functions on
// `window.bench` through page.evaluate and gets raw samples (ms) back.
import { connectRuntime } from "@rkat/web/worker";
// Not public: the page-side compile connectRuntime starts (for the ready breakdown).
import { compileCore } from "../../dist/worker/prefetch.js";
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
  profile: () => new Worker(new URL("./profile-worker.js", import.meta.url), { type: "module" }),
  profileEmpty: () => new Worker(new URL("./profile-empty-worker.js", import.meta.url), { type: "module" }),
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

// Worker-ready samples, one per call (bench/ready.mjs runs the rounds).

/**
 * Before a sample: let the last one's Worker finish tearing down (it goes
 * on after terminate(), with no event to wait for: a pause), and free what
 * it left (gc() exists with --js-flags=--expose-gc).
 */
async function settle(opts) {
  if (!opts.gc) return;
  await new Promise((resolve) => setTimeout(resolve, 30));
  globalThis.gc?.();
}

/** new Worker() → its first message. */
function firstMessage(worker, what) {
  return new Promise((resolve, reject) => {
    worker.addEventListener("message", resolve, { once: true });
    worker.onerror = (event) => reject(new Error(`${what}: ${event.message}`));
  });
}

/**
 * One sample of the Vite-built app: new Worker() → "ready" from an empty
 * module worker, or → connectRuntime resolved (and its first session) with
 * a runtime worker: the README's, or with the glue imported statically.
 */
async function readyOnce(opts) {
  const { contestant } = opts;
  await settle(opts);
  const t0 = performance.now();
  const worker = spawn[contestant === "emptyCompiling" ? "empty" : contestant]();
  if (contestant === "empty" || contestant === "emptyCompiling") {
    // The page compiling the core's wasm meanwhile, as connectRuntime does (and nothing else).
    if (contestant === "emptyCompiling") void compileCore();
    await firstMessage(worker, "empty worker");
    const ms = performance.now() - t0;
    worker.terminate();
    return { ms };
  }
  const remote = await connectRuntime(worker, BENCH_CONFIG);
  const ms = performance.now() - t0;
  await remote.createSession();
  const sessionMs = performance.now() - t0;
  await remote.destroy();
  worker.terminate();
  return { ms, sessionMs };
}

/** Worker marks (absolute) → ms since t0 on this page's clock. */
function relative(marks, t0) {
  const origin = performance.timeOrigin + t0;
  return Object.fromEntries(marks.map(([name, abs]) => [`worker: ${name}`, abs - origin]));
}

/**
 * Where the ready time goes: the README's worker with profile-marks.js (or
 * the empty worker), every mark in ms since `new Worker` (the Worker's
 * absolute times mapped onto the page's clock).
 */
async function profileOnce(opts) {
  const { which } = opts;
  await settle(opts);
  const t0 = performance.now();
  const page = {};
  const mark = (name) => (page[`page: ${name}`] = performance.now() - t0);
  if (which === "empty") {
    const worker = spawn.profileEmpty();
    const { data } = await firstMessage(worker, "profile empty worker");
    mark("ready received");
    worker.terminate();
    return { ...relative(data.profile, t0), ...page };
  }
  const worker = spawn.profile();
  mark("new Worker returned");
  let profile;
  // Calls and replies numbered in order (an id says whose client a call is, not which: rpc.ts).
  let [calls, replies] = [0, 0];
  const done = new Promise((resolve) => {
    worker.addEventListener("message", ({ data }) => {
      if (data?.rkat === "reply") mark(`reply ${++replies} received`);
      if (!data?.profile) return;
      profile = data;
      if (data.profile.some(([name]) => name === "reply 2 posted")) resolve();
    });
  });
  const post = worker.postMessage.bind(worker);
  worker.postMessage = (message, transfer) => {
    if (message?.rkat === "call") mark(`call ${++calls} posted (${message.to})`);
    post(message, transfer);
  };
  const wasmEntries = () => performance.getEntriesByType("resource").filter((e) => e.name.endsWith(".wasm") && e.startTime >= t0);
  const remote = await connectRuntime(worker, BENCH_CONFIG);
  mark("connectRuntime resolved");
  await remote.createSession();
  mark("createSession resolved");
  await done;
  const pageWasm = wasmEntries()[0];
  if (pageWasm) Object.assign(page, { "page: wasm requested": pageWasm.startTime - t0, "page: wasm received": pageWasm.responseEnd - t0 });
  const workerWasm = profile.resources.find((r) => r.name.endsWith(".wasm"));
  const origin = performance.timeOrigin + t0;
  const resources = workerWasm ? { "worker: wasm requested": workerWasm.start - origin, "worker: wasm received": workerWasm.end - origin } : {};
  await remote.destroy();
  worker.terminate();
  return { ...page, ...relative(profile.profile, t0), ...resources };
}

/** Whether the build has the single-file files (a base build of a before/after run may not). */
async function hasBundle() {
  // The preview server's SPA fallback answers a missing file with HTML.
  const head = await fetch("unbundled/dist/rkat-web-worker.js", { method: "HEAD" });
  return head.ok && /javascript/.test(head.headers.get("content-type") ?? "");
}

/** What each unbundled contestant runs: its worker script, and for `expose` the page's client module. */
const UNBUNDLED = {
  empty: { worker: "empty-worker.js" },
  directModules: { worker: "direct-modules.js" },
  directBundle: { worker: "direct-bundle.js" },
  exposeModules: { worker: "expose-modules.js", client: "dist/worker/index.js" },
  exposeBundle: { worker: "expose-bundle.js", client: "dist/rkat-web-worker.js" },
};

/**
 * One sample of the package served unbundled (plain files: dist/, pkg/).
 * Cold: under /cold/<n>/, URLs the browser has never seen (no HTTP cache,
 * no code cache); warm: under /unbundled/ (revalidated). `direct`: the
 * Worker imports the package, runs MeerkatRuntime.init and createSession,
 * then posts "ready"; `expose`: the page (its client module loaded from the
 * same place first, untimed) runs connectRuntime + createSession against a
 * Worker that calls exposeRuntime().
 */
async function unbundledOnce(opts) {
  const { contestant, cold, n } = opts;
  const { worker: script, client } = UNBUNDLED[contestant];
  const base = new URL(cold ? `cold/${n}/` : "unbundled/", location.href);
  const connect = client ? (await import(/* @vite-ignore */ new URL(client, base).href)).connectRuntime : undefined;
  await settle(opts);
  const t0 = performance.now();
  const worker = new Worker(new URL(script, base), { type: "module" });
  if (connect) {
    const remote = await connect(worker, BENCH_CONFIG);
    await remote.createSession();
    const ms = performance.now() - t0;
    await remote.destroy();
    worker.terminate();
    return ms;
  }
  await firstMessage(worker, script);
  const ms = performance.now() - t0;
  worker.terminate();
  return ms;
}

window.bench = {
  events: (opts) => inWorker("events", opts),
  checks: () => inWorker("checks"),
  bridge: (opts) => bridge(spawn.bridge, opts),
  bridgeProfile: (opts) => bridgeProfile(spawn.bridge, opts),
  mobBridge: (opts) => mobBridge(spawn.bridge, opts),
  readyOnce,
  profileOnce,
  hasBundle,
  unbundledOnce,
  userAgent: () => navigator.userAgent,
};
document.title = "bench ready";
