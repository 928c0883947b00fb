#!/usr/bin/env node
// Benchmarks of @rkat/web against the built package (dist/, pkg/).
//
//   node bench/run.mjs                    everything
//   node bench/run.mjs --quick            fewer runs
//   node bench/run.mjs size node breakdown hooks compaction mobs soak browser bridge ready checks   any subset
//
// `node` and `browser` measure every wire format the runtime speaks
// (providers.mjs: Anthropic, OpenAI Chat, OpenAI Responses, Gemini), each
// against its own hand-written floor (in Chromium Gemini with 16 KiB chunks
// only, to keep a full run near 90 s); `breakdown` splits
// the Anthropic time (stream and turn+poll) and every other provider's
// turn+poll. `hooks` and `compaction` drive the wasm core directly with
// scripted effect outcomes (core-node.mjs): what a foreground hook costs
// the core per tool call and per request, and compaction's bookkeeping on
// a 200-turn history (the long-history rounds are fewer: each builds three
// such sessions). `mobs` drives the core the same way with a scripted
// model calling the comms tools (mob-node.mjs): a 100-member broadcast and
// a 20-member request chain against the plain turns floor, and memory per
// member in fresh `node --expose-gc` processes (mob-memory.mjs). `soak`
// runs each long-run scenario in a fresh `node --expose-gc` (soak.mjs:
// 1,000 turns with compaction, the same never polled, 100 sessions
// streaming at once, 10,000 idle sessions and createSession's time, a
// 100-member mob for 10 simulated minutes) and createSession in Chromium
// (soak-chromium.mjs), printing wasm memory and JS heap at start and end.
// `bridge` measures the Worker bridge in Chromium (browser/bridge.js):
// connectRuntime + stream() against the floor on the main thread, where
// that time goes on each side (probes in the Worker and on the page), and
// a 20-member mob streaming at once read through mob.subscribeEvents()
// against the same number of events from one session (bridge-mob.js).
// Prints a report and a README table; writes bench/results.json.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PROVIDER_IDS, PROVIDERS } from "./providers.mjs";
import { analyzeBridgeProfile, analyzeMobBridge } from "./report-bridge.mjs";
import { analyzeEvents, analyzeReady, formatReport } from "./report.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const PARTS = ["size", "node", "breakdown", "hooks", "compaction", "mobs", "soak", "browser", "bridge", "ready", "checks"];
const CHUNK_SIZES = [16 * 1024, 1024];
/** Measured besides Anthropic, whose figures keep their own sections. */
const OTHER_PROVIDERS = PROVIDER_IDS.filter((id) => id !== "anthropic");
/** In Chromium, Gemini with 16 KiB chunks only (a full run stays near 90 s); OpenAI's formats with both (issue 10 sets them a target). */
const chromiumSizes = (provider) => (provider.startsWith("openai-") ? CHUNK_SIZES : [16 * 1024]);

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
const readyRuns = quick ? 8 : 31;
/** Rounds of the profiled runs: the Worker-ready profile and the bridge profile. */
const profileRuns = quick ? 5 : 15;
const unbundledRuns = quick ? 8 : 21;
const historyRuns = quick ? 3 : 11;

function commit() {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: here(".."), encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src", "meerkat-web-runtime"], { cwd: here(".."), encoding: "utf8" }).trim();
    return dirty ? `${sha}+uncommitted` : sha;
  } catch {
    return "unknown";
  }
}

/** Sources newer than the built wasm or JS: the figures may not be those of the sources. */
function staleBuild() {
  const newest = (dir) => {
    let t = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      t = Math.max(t, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }
    return t;
  };
  const built = (file) => statSync(here(file)).mtimeMs;
  const stale = [];
  if (newest(here("../meerkat-web-runtime/src")) > built("../pkg/meerkat_web_runtime_bg.wasm")) {
    stale.push("meerkat-web-runtime/src is newer than pkg/");
  }
  if (newest(here("../src")) > built("../dist/index.js")) stale.push("src/ is newer than dist/");
  return stale;
}

const started = performance.now();
const progress = (what) => process.stderr.write(`… ${what} (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
const results = {
  meta: {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    commit: commit(),
    staleBuild: staleBuild(),
    runs,
    warmup,
    historyRuns,
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
  results.providers ??= {};
  results.providers.node = {};
  for (const provider of OTHER_PROVIDERS) {
    progress(`per-event cost in Node: ${PROVIDERS[provider].label}`);
    results.providers.node[provider] = analyzeEvents(await benchEventsNode({ runs, warmup, sizes: CHUNK_SIZES, provider }), "floor");
  }
}

if (parts.has("breakdown")) {
  progress("where the time goes per event in Node");
  const { breakdownNode } = await import("./breakdown-node.mjs");
  results.breakdown = await breakdownNode({ runs, warmup, size: 16 * 1024 });
  results.breakdownByProvider = {};
  for (const provider of OTHER_PROVIDERS) {
    progress(`where the time goes per event in Node: ${PROVIDERS[provider].label}`);
    results.breakdownByProvider[provider] = await breakdownNode({ runs, warmup, size: 16 * 1024, provider, modes: ["turnPoll"] });
  }
}

if (parts.has("hooks")) {
  progress("hooks: the core's cost of a foreground hook (scripted outcomes)");
  const { benchHooks } = await import("./core-node.mjs");
  results.hooks = benchHooks({ runs, warmup });
}

if (parts.has("compaction")) {
  progress("compaction and hooks on a 200-turn history (scripted outcomes)");
  const { benchLongHistory } = await import("./core-node.mjs");
  results.compaction = benchLongHistory({ runs: historyRuns, warmup: 1 });
}

if (parts.has("mobs")) {
  progress("mobs: broadcast and request chain (scripted outcomes)");
  const { benchMobs, benchMobMemory } = await import("./mob-node.mjs");
  results.mobs = await benchMobs({ runs, warmup });
  progress("mobs: memory per member (fresh node --expose-gc processes)");
  results.mobs.memory = benchMobMemory({ counts: [100, 1000] });
}

if (parts.has("soak")) {
  progress("soak: memory over long runs (fresh node --expose-gc processes)");
  const { benchSoak } = await import("./soak.mjs");
  results.soak = benchSoak({ quick });
  progress("soak: createSession and idle sessions in Chromium");
  const { benchIdleChromium } = await import("./soak-chromium.mjs");
  results.soak.chromium = await benchIdleChromium();
}

if (parts.has("checks")) {
  progress("bug checks in Node");
  const { checksNode } = await import("./checks-node.mjs");
  results.checks = { node: await checksNode() };
}

if (parts.has("browser") || parts.has("bridge") || parts.has("ready") || parts.has("checks")) {
  progress("Chromium: building and serving the bench page");
  const { withBenchPage } = await import("./browser/runner.mjs");
  await withBenchPage(async (page) => {
    const { call, version } = page;
    results.meta.chromium = version;
    // Ready first: its first round is the only one with cold caches.
    if (parts.has("ready")) {
      progress("worker-ready time");
      const { benchReady } = await import("./ready.mjs");
      const raw = await benchReady(page, { runs: readyRuns, warmup: 3, profileRuns, unbundledRuns, progress });
      results.ready = analyzeReady(raw.app, raw.profile, raw.unbundled);
    }
    if (parts.has("browser")) {
      progress("per-event cost in a Chromium Worker");
      const events = analyzeEvents(await call("events", { runs, warmup, sizes: CHUNK_SIZES }), "floor");
      results.providers ??= {};
      results.providers.chromium = {};
      for (const provider of OTHER_PROVIDERS) {
        progress(`per-event cost in a Chromium Worker: ${PROVIDERS[provider].label}`);
        results.providers.chromium[provider] = analyzeEvents(
          await call("events", { runs, warmup, sizes: chromiumSizes(provider), provider }),
          "floor",
        );
      }
      results.browser = { events };
    }
    if (parts.has("bridge")) {
      progress("end to end through the Worker bridge");
      results.browser ??= {};
      results.browser.bridge = analyzeEvents(await call("bridge", { runs, warmup, sizes: CHUNK_SIZES }), "floorMain");
      progress("where the time goes over the Worker bridge (probes on)");
      results.browser.bridgeProfile = analyzeBridgeProfile(await call("bridgeProfile", { runs: profileRuns, warmup, sizes: CHUNK_SIZES }));
      progress("mob events over the Worker bridge");
      results.browser.mobBridge = analyzeMobBridge(await call("mobBridge", { runs, warmup, size: 16 * 1024, members: 20, deltas: 1000 }));
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
