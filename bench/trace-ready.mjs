#!/usr/bin/env node
// Where a runtime Worker's start goes, from Chromium's own trace: what the
// profile marks of `npm run bench` (ready.mjs) cannot see from outside the
// package, the compiles. For each sample of the README's worker
// (`exposeRuntime` + `connectRuntime`), on the Worker's thread:
//   - the worker script's compile (parse, preparse) and evaluation;
//   - the init call, from its message to its reply: the wasm functions
//     compiled on their first call (Chromium compiles wasm lazily, per
//     Worker: nothing compiled on the page is reused) and the JS functions
//     compiled on their first call, beside the whole call.
// Tracing slows everything down (about 1.5×): read the shares, not the ms.
//
//   node bench/trace-ready.mjs [--runs N]     (default 8; about 20 s)
import { withBenchPage } from "./browser/runner.mjs";
import { summarize } from "./stats.mjs";

const runsAt = process.argv.indexOf("--runs");
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 8;
if (!Number.isInteger(runs) || runs < 1) {
  console.error("usage: node bench/trace-ready.mjs [--runs N]");
  process.exit(2);
}

const CATEGORIES = [
  "toplevel", "v8", "v8.wasm", "v8.execute", "blink", "blink.worker", "loading",
  "devtools.timeline", "disabled-by-default-devtools.timeline", "disabled-by-default-v8.compile",
  // Names every wasm function compiled on first call (and slows them down the most).
  "disabled-by-default-v8.wasm.detailed",
];

const trace = await withBenchPage(async ({ call, browser, page }) => {
  for (let i = 0; i < 3; i++) await call("readyOnce", { contestant: "runtime", gc: true });
  await browser.startTracing(page, { categories: CATEGORIES });
  for (let i = 0; i < runs; i++) {
    await call("readyOnce", { contestant: "runtime", gc: true });
    // As ready.mjs's rounds: another Worker between two runtime samples, so
    // that the last one's wasm module is gone (a live one lends its compiled
    // code to the next compile of the same bytes).
    await call("readyOnce", { contestant: "empty", gc: true });
  }
  return JSON.parse((await browser.stopTracing()).toString("utf8"));
});

const events = Array.isArray(trace) ? trace : trace.traceEvents;
const threadName = new Map();
for (const e of events) if (e.ph === "M" && e.name === "thread_name") threadName.set(`${e.pid}:${e.tid}`, e.args.name);
const byThread = new Map();
for (const e of events) {
  const key = `${e.pid}:${e.tid}`;
  if (e.ph !== "X" || !threadName.get(key)?.startsWith("DedicatedWorker")) continue;
  if (!byThread.has(key)) byThread.set(key, []);
  byThread.get(key).push(e);
}

/** One Worker's figures (ms), or undefined when it is not a complete runtime sample. */
function sample(list) {
  list.sort((a, b) => a.ts - b.ts);
  const first = (name, after = -Infinity) => list.find((e) => e.name === name && e.ts > after);
  const compile = first("v8.compileModule");
  const evaluate = first("v8.evaluateModule");
  const init = first("HandlePostMessage", evaluate?.ts);
  const reply = init && first("DedicatedWorkerGlobalScope::postMessage", init.ts);
  if (!compile || !evaluate || !reply) return undefined;
  const within = (name) => list.filter((e) => e.name === name && e.ts >= init.ts && e.ts <= reply.ts);
  const total = (name) => within(name).reduce((ms, e) => ms + e.dur / 1000, 0);
  const start = list[0].ts;
  return {
    scriptCompileAt: (compile.ts - start) / 1000,
    scriptCompileMs: compile.dur / 1000,
    evaluateMs: evaluate.dur / 1000,
    initAt: (init.ts - start) / 1000,
    initMs: (reply.ts - init.ts) / 1000,
    wasmLazy: within("wasm.CompileLazy").length,
    wasmLazyMs: total("wasm.CompileLazy"),
    jsLazy: within("V8.CompileCode").length,
    jsLazyMs: total("V8.CompileCode"),
    instantiateMs: total("wasm.SyncInstantiate"),
  };
}

const samples = [...byThread.values()].map(sample).filter(Boolean);
if (samples.length === 0) throw new Error("no complete runtime Worker in the trace");
const median = (key) => summarize(samples.map((s) => s[key])).median;
const ms = (v) => `${v.toFixed(2)} ms`;
console.log(`## A runtime Worker's start, from Chromium's trace (medians of ${samples.length} samples; traced, so slower than untraced)`);
console.log(`  thread start → worker script compile     ${ms(median("scriptCompileAt"))}`);
console.log(`  worker script compile (parse, preparse)  ${ms(median("scriptCompileMs"))}`);
console.log(`  worker script evaluation                 ${ms(median("evaluateMs"))}`);
console.log(`  thread start → init call handled         ${ms(median("initAt"))}`);
console.log(`  init call → its reply posted             ${ms(median("initMs"))}`);
console.log(`    of which wasm compiled on first call   ${ms(median("wasmLazyMs"))} (${median("wasmLazy")} functions)`);
console.log(`    of which JS compiled on first call     ${ms(median("jsLazyMs"))} (${median("jsLazy")} functions)`);
console.log(`    of which wasm instantiate              ${ms(median("instantiateMs"))}`);
