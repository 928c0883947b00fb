#!/usr/bin/env node
// Memory per mob member, in a fresh Node process (mob-node.mjs starts one
// per count, with --expose-gc): the public API (MeerkatRuntime.init,
// runtime.createMob, mob.spawn) in-process, no network. Prints one JSON
// line: the wasm memory (the instance's exported memory, buffer.byteLength:
// what the allocator has taken from the engine so far, in 64 KiB pages;
// it never shrinks; the core exposes no allocator figures) and the JS heap
// (process.memoryUsage().heapUsed after gc, repeated with the event loop
// turning in between until it stops falling) before and after spawning
// `count` members: an orchestrator and count − 1 workers auto-wired to it
// (the broadcast mob of the benchmark), never run.
//
//   node --expose-gc bench/mob-memory.mjs 1000
import { MeerkatRuntime } from "../dist/index.js";
import * as wasm from "../pkg/meerkat_web_runtime.js";
import { coreExports as exports, snapshot } from "./wasm-memory.mjs";

const count = Number(process.argv[2] ?? 100);
const gc = globalThis.gc;

const fetch = async () => {
  throw new Error("mob-memory: no request is expected");
};
const runtime = await MeerkatRuntime.init(
  wasm,
  { anthropicApiKey: "x", anthropicBaseUrl: "http://127.0.0.1:9/anthropic", model: "claude-sonnet-4-6" },
  { fetch },
);
const profile = { model: "claude-sonnet-4-6", systemPrompt: "You are a concise assistant." };

async function measure(mobId, n) {
  const mob = await runtime.createMob({
    id: mobId,
    orchestrator: { profile: "lead" },
    profiles: { lead: { ...profile, peerDescription: "Hands out the work" }, worker: { ...profile, peerDescription: "Looks things up" } },
    wiring: { autoWireOrchestrator: true },
  });
  const specs = [
    { profile: "lead", agentIdentity: "lead" },
    ...Array.from({ length: n - 1 }, (_, i) => ({ profile: "worker", agentIdentity: `worker-${String(i + 1).padStart(4, "0")}` })),
  ];
  const before = await snapshot();
  const t0 = performance.now();
  const failed = (await mob.spawn(specs)).filter((r) => r.status !== "spawned");
  const spawnMs = performance.now() - t0;
  if (failed.length) throw new Error(`mob-memory: ${failed.length} spawns failed: ${failed[0].code}: ${failed[0].message}`);
  const after = await snapshot();
  const members = (await mob.listMembers()).length;
  if (members !== n) throw new Error(`mob-memory: ${members} members, expected ${n}`);
  return { count: n, before, after, spawnMs };
}

// A small mob first (kept: freed memory would be reused by the measured
// spawn and hide its growth): the runtime's first growth (tables, first
// pages) is not charged to the measured members.
await measure("warm-up", 10);
const initial = { wasmBytes: exports.memory.buffer.byteLength };
const figures = await measure("bench-mob", count);
runtime.destroy();
process.stdout.write(`${JSON.stringify({ ...figures, initial, gc: typeof gc === "function" })}\n`);
