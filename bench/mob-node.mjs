// What mobs cost the core, measured by driving the wasm `Core` directly in
// Node with scripted outcomes (as core-node.mjs does: no network, no TS
// driver; mob-script.mjs has the scripted model): every member's request
// answered at once with a canned Anthropic body that calls the comms
// tools, the comms tools run inside the core.
//
// - broadcast: an orchestrator auto-wired to 99 workers sends each one a
//   message (parallel send_message calls in one answer); every worker
//   wakes and answers the orchestrator with send_message: 198 messages
//   delivered per run. Figure: core time per delivered message.
// - chain: link-01 send_request → link-02 → … → link-20, which responds;
//   each link then responds to its own requester, back to link-01: 38 hops
//   per run (maxHops raised to 40). Figure: core time per hop.
// - the plain turns floor: one text turn of a fresh plain session (same
//   model and system prompt, no tools) answered with a body of the same
//   size as the mob run's mean response; one floor per scenario.
//
// A run is timed from the host's mob_send to the last effect (the mob
// created, its members spawned and wired, its subscription opened before;
// the mob destroyed after, untimed) plus one mob_poll of the subscription
// at the end (the mob's and every member's events, as a host reading
// `mob.subscribeEvents()` does). As in core-node.mjs, every wasm call is
// timed on its own, a variant's typical run is the sum over its calls of
// the median over the round's runs, and ratios are taken round by round.
// core: time inside the wasm calls; host: plus the JSON.parse of replies.
//
// Memory per member runs in fresh Node processes (mob-memory.mjs).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as pkgWasm from "../pkg/meerkat_web_runtime.js";
import { linkMobPart, ScriptedHost, typical } from "./core-node.mjs";
import { broadcastScenario, chainScenario, plainTurnScenario, textBodyOfSize } from "./mob-script.mjs";
import { summarize } from "./stats.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const KINDS = [
  ["core", "coreMs"],
  ["host", "hostMs"],
];

function push(target, key, value) {
  (target[key] ??= []).push(value);
}

function summarizeAll(samples) {
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, Array.isArray(v) ? summarize(v) : summarizeAll(v)]));
}

/** setup (untimed), the traced run, teardown (untimed); the trace and the run's counts. */
function once(host, scenario) {
  scenario.setup();
  const { trace, value } = host.traced(() => scenario.run());
  scenario.teardown();
  return { trace, value };
}

/** The counts every run of a scenario must repeat (the probe run's). */
function check(name, value, expected) {
  for (const key of ["requests", "finished", "delivered", "events"]) {
    if (value[key] !== expected[key]) throw new Error(`mob-node ${name}: ${key} ${value[key]}, expected ${expected[key]}`);
  }
}

/**
 * Broadcast and chain against their plain turns floors. Per round: `reps`
 * runs of each mob scenario and `floorReps` runs of each floor per rep,
 * interleaved, the order rotating.
 */
export async function benchMobs({ runs, warmup, wasm = pkgWasm, wasmFile = here("../pkg/meerkat_web_runtime_bg.wasm"), workers = 99, links = 20, reps = 5, floorReps = 3 }) {
  await linkMobPart(wasm, wasmFile);
  const host = new ScriptedHost(wasm);
  // ScriptedHost registers a host tool for core-node's benchmarks: none here (members and floor alike get no host tools).
  host.command("unregister_tool", '{"op":"unregister_tool","name":"get_weather"}');
  try {
    const mobs = { broadcast: broadcastScenario(host, workers), chain: chainScenario(host, links) };
    // A probe run of each mob scenario (untimed): its counts, and the mean response size its floor answers with.
    const shape = {};
    const floors = {};
    for (const [name, scenario] of Object.entries(mobs)) {
      const { value } = once(host, scenario);
      if (value.delivered !== scenario.messages) throw new Error(`mob-node ${name}: ${value.delivered} messages delivered, expected ${scenario.messages}`);
      const meanResponseBytes = Math.round(value.responseBytes / value.requests);
      floors[name] = plainTurnScenario(host, textBodyOfSize(meanResponseBytes));
      const floor = once(host, floors[name]).value;
      shape[name] = {
        ...value,
        messages: scenario.messages,
        meanResponseBytes,
        meanRequestBytes: Math.round(value.requestBytes / value.requests),
        floorRequestBytes: floor.requestBytes,
      };
    }
    shape.broadcast.members = workers + 1;
    shape.chain.members = links;
    const variants = [
      ["broadcast", mobs.broadcast, 1],
      ["chain", mobs.chain, 1],
      ["floorBroadcast", floors.broadcast, floorReps],
      ["floorChain", floors.chain, floorReps],
    ];
    const raw = { core: {}, host: {}, byOp: {} };
    for (let round = 0; round < warmup + runs; round++) {
      const traces = Object.fromEntries(variants.map(([name]) => [name, []]));
      for (let rep = 0; rep < reps; rep++) {
        for (let k = 0; k < variants.length; k++) {
          const [name, scenario, times] = variants[(rep + k) % variants.length];
          for (let t = 0; t < times; t++) {
            const { trace, value } = once(host, scenario);
            if (shape[name]) check(name, value, shape[name]);
            traces[name].push(trace);
          }
        }
      }
      if (round < warmup) continue;
      const t = Object.fromEntries(variants.map(([name]) => [name, typical(traces[name])]));
      for (const [kind, key] of KINDS) {
        for (const [name, floor, per, perKey] of [
          ["broadcast", "floorBroadcast", shape.broadcast.messages, "perMessage"],
          ["chain", "floorChain", shape.chain.messages, "perHop"],
        ]) {
          const unitUs = (t[name][key] * 1000) / per;
          const requestUs = (t[name][key] * 1000) / shape[name].requests;
          const floorUs = t[floor][key] * 1000;
          push((raw[kind][name] ??= {}), `${perKey}Us`, unitUs);
          push(raw[kind][name], "perRequestUs", requestUs);
          push(raw[kind][name], "runMs", t[name][key]);
          push(raw[kind][name], "floorUs", floorUs);
          push(raw[kind][name], "ratio", unitUs / floorUs);
          push(raw[kind][name], "requestRatio", requestUs / floorUs);
        }
      }
      for (const [name, per] of [
        ["broadcast", shape.broadcast.messages],
        ["chain", shape.chain.messages],
      ]) {
        for (const [op, ms] of Object.entries(t[name].byOp)) push((raw.byOp[name] ??= {}), op, (ms * 1000) / per);
      }
    }
    return { reps, floorReps, shape, ...summarizeAll(raw) };
  } finally {
    host.free();
  }
}

/**
 * Wasm memory and JS heap per member, and the time to spawn them: one
 * fresh `node --expose-gc bench/mob-memory.mjs <count>` per count.
 */
export function benchMobMemory({ counts = [100, 1000] } = {}) {
  const out = { counts: {} };
  for (const count of counts) {
    const text = execFileSync(process.execPath, ["--expose-gc", here("./mob-memory.mjs"), String(count)], { encoding: "utf8" });
    const m = JSON.parse(text.trim().split("\n").pop());
    out.counts[count] = {
      ...m,
      wasmBytesPerMember: (m.after.wasmBytes - m.before.wasmBytes) / count,
      heapBytesPerMember: (m.after.heapUsed - m.before.heapUsed) / count,
      spawnUsPerMember: (m.spawnMs * 1000) / count,
    };
    out.gc = m.gc;
  }
  return out;
}
