#!/usr/bin/env node
// Soak: does memory stay steady while the runtime works for a long time?
// `benchSoak` runs each scenario of soak-scenarios.mjs in a fresh
// `node --expose-gc` (its memory its own), which prints one JSON line:
//
//   node --expose-gc bench/soak.mjs <turns|unpolled|concurrent|idle|mob> [--quick]
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** Scenario → its options, full and --quick. */
const SCENARIOS = {
  turns: [{ n: 1000 }, { n: 300 }],
  // The same turns, the poll reader never drained (a host using only turn() or stream()).
  unpolled: [{ n: 1000, poll: false }, { n: 300, poll: false }],
  concurrent: [{ sessions: 100, rounds: 36 }, { sessions: 100, rounds: 24 }],
  idle: [{ n: 10_000 }, { n: 10_000 }],
  mob: [{ members: 100, minutes: 10 }, { members: 100, minutes: 3 }],
};

export function benchSoak({ quick = false, scenarios = Object.keys(SCENARIOS) } = {}) {
  const out = {};
  for (const name of scenarios) {
    const args = ["--expose-gc", here("./soak.mjs"), name, ...(quick ? ["--quick"] : [])];
    const text = execFileSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 24 });
    out[name] = JSON.parse(text.trim().split("\n").pop());
  }
  return out;
}

if (process.argv[1] === here("./soak.mjs")) {
  const [name, flag] = process.argv.slice(2);
  if (!SCENARIOS[name]) {
    console.error(`usage: node --expose-gc bench/soak.mjs <${Object.keys(SCENARIOS).join("|")}> [--quick]`);
    process.exit(2);
  }
  const s = await import("./soak-scenarios.mjs");
  const run = { turns: s.turnsScenario, unpolled: s.turnsScenario, concurrent: s.concurrentScenario, idle: s.idleScenario, mob: s.mobScenario }[name];
  const result = await run(SCENARIOS[name][flag === "--quick" ? 1 : 0]);
  process.stdout.write(`${JSON.stringify({ ...result, gc: typeof globalThis.gc === "function" })}\n`);
}
