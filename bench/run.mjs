#!/usr/bin/env node
// Benchmarks of @rkat/web against the built package (dist/, pkg/).
//
//   node bench/run.mjs                    everything
//   node bench/run.mjs --quick            fewer runs
//   node bench/run.mjs size node breakdown browser ready checks   any subset
//
// Prints a report and a README table; writes bench/results.json.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { analyzeEvents, analyzeReady, formatReport } from "./report.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const PARTS = ["size", "node", "breakdown", "browser", "ready", "checks"];
const CHUNK_SIZES = [16 * 1024, 1024];

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const unknown = args.filter((a) => a !== "--quick" && !PARTS.includes(a));
if (unknown.length) {
  console.error(`unknown argument(s): ${unknown.join(" ")}\nusage: node bench/run.mjs [--quick] [${PARTS.join("|")} ...]`);
  process.exit(2);
}
const selected = args.filter((a) => PARTS.includes(a));
const parts = new Set(selected.length ? selected : PARTS);

for (const file of ["../dist/index.js", "../dist/worker/index.js", "../pkg/meerkat_web_runtime.js", "../pkg/meerkat_web_runtime_bg.wasm"]) {
  if (!existsSync(here(file))) {
    console.error(`missing ${file.slice(3)}: build the package first (npm run build)`);
    process.exit(2);
  }
}

const runs = quick ? 5 : 31;
const warmup = quick ? 1 : 5;
const readyRuns = quick ? 8 : 40;

function commit() {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: here(".."), encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src", "meerkat-web-runtime"], { cwd: here(".."), encoding: "utf8" }).trim();
    return dirty ? `${sha}+uncommitted` : sha;
  } catch {
    return "unknown";
  }
}

const progress = (what) => process.stderr.write(`… ${what}\n`);
const started = performance.now();
const results = {
  meta: {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    commit: commit(),
    runs,
    warmup,
    quick,
    parts: [...parts],
  },
};

if (parts.has("size")) {
  progress("size: wasm and the consumer app (vite build)");
  const { benchSize } = await import("./size.mjs");
  results.size = await benchSize();
}

if (parts.has("node")) {
  progress("per-event cost in Node");
  const { benchEventsNode } = await import("./events-node.mjs");
  results.node = analyzeEvents(await benchEventsNode({ runs, warmup, sizes: CHUNK_SIZES }), "floor");
}

if (parts.has("breakdown")) {
  progress("where the time goes per event in Node");
  const { breakdownNode } = await import("./breakdown-node.mjs");
  results.breakdown = await breakdownNode({ runs, warmup, size: 16 * 1024 });
}

if (parts.has("checks")) {
  progress("bug checks in Node");
  const { checksNode } = await import("./checks-node.mjs");
  results.checks = { node: await checksNode() };
}

if (parts.has("browser") || parts.has("ready") || parts.has("checks")) {
  progress("Chromium: building and serving the bench page");
  const { withBenchPage } = await import("./browser/runner.mjs");
  await withBenchPage(async ({ call, version }) => {
    results.meta.chromium = version;
    // Ready first: its first round is the only one with cold caches.
    if (parts.has("ready")) {
      progress("worker-ready time");
      results.ready = analyzeReady(await call("ready", { runs: readyRuns, warmup: 3 }));
    }
    if (parts.has("browser")) {
      progress("per-event cost in a Chromium Worker");
      const events = analyzeEvents(await call("events", { runs, warmup, sizes: CHUNK_SIZES }), "floor");
      progress("end to end through the Worker bridge");
      const bridge = analyzeEvents(await call("bridge", { runs, warmup, sizes: CHUNK_SIZES }), "floorMain");
      results.browser = { events, bridge };
    }
    if (parts.has("checks")) {
      progress("bug checks in a Chromium Worker");
      results.checks.chromium = await call("checks");
    }
  });
}

results.meta.seconds = Math.round((performance.now() - started) / 100) / 10;
await writeFile(here("./results.json"), `${JSON.stringify(results, null, 2)}\n`);
console.log(formatReport(results));
console.log(`\n(${results.meta.seconds} s; raw figures in bench/results.json)`);

const failed = Object.values(results.checks ?? {}).flat().filter((c) => !c.pass);
if (failed.length) {
  console.error(`\n${failed.length} bug check(s) FAILED`);
  process.exitCode = 1;
}
