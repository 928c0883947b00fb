/**
 * One runtime for the life of a page: what a finished lifecycle leaves in
 * the main thread's runtime. Where nothing observable can tell (an id kept
 * in a private map), the check reads the private field: no code ships for it.
 */
import { afterEach, expect, test } from "vitest";
import type { MeerkatRuntime } from "@rkat/web";
import { researchTeam } from "./support/mob.js";
import { resetSim, simRuntime, wasm } from "./support/runtime.js";

const CYCLES = 2000;

let runtime: MeerkatRuntime | undefined;
afterEach(() => {
  runtime?.destroy();
  runtime = undefined;
});

/** Hook ids the runtime keeps as registered on a session (white-box: a private field). */
function sessionHookIds(of: MeerkatRuntime): number {
  const kept = (of as unknown as { sessionHooks: Map<string, string | string[]> }).sessionHooks;
  return [...kept.values()].flat().length;
}

test("a session's hooks registered and unregistered over and over leave nothing while the session lives", async () => {
  await resetSim();
  runtime = await simRuntime();
  const session = runtime.createSession();
  const kept = session.registerHook("run_started", () => undefined);
  for (let i = 0; i < CYCLES; i++) runtime.unregisterHook(session.registerHook("pre_llm_request", () => undefined));
  expect(sessionHookIds(runtime)).toBe(1);
  // The hook still registered works, and goes with its session.
  expect((await session.turn("hello")).text.length).toBeGreaterThan(0);
  runtime.unregisterHook(kept);
  session.registerHook("run_started", () => undefined);
  session.destroy();
  expect(sessionHookIds(runtime)).toBe(0);
});

test("mobs of new ids made and destroyed for the life of a runtime: it never runs out of room for the next", async () => {
  await resetSim();
  runtime = await simRuntime();
  for (let i = 0; i < 300; i++) await (await runtime.createMob(researchTeam({ id: `team-${i}` }))).destroy();
  const listed = await runtime.listMobs();
  expect(listed.length).toBeLessThanOrEqual(256);
  expect(listed.every((m) => m.status === "destroyed")).toBe(true);
  expect(await (await runtime.createMob(researchTeam({ id: "team-0" }))).status()).toBe("running");
});

/** The core's wasm memory in bytes: its allocator never gives pages back, so a flat figure over many cycles says nothing grew. */
function wasmBytes(): number {
  // The module is loaded by now: `initSync` hands back its exports.
  const exports = (wasm as unknown as { initSync(input: unknown): { memory: WebAssembly.Memory } }).initSync(undefined);
  return exports.memory.buffer.byteLength;
}

const timersArmed = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;

test("sessions made, run, cut short and destroyed, readers, tools, hooks and skill sources over and over: the core ends where it began", async () => {
  await resetSim();
  runtime = await simRuntime();
  const rt = runtime;
  const cycle = async (i: number) => {
    const session = rt.createSession();
    rt.registerTool("clock", "Tells the time", { type: "object" }, () => "noon", { timeoutMs: 60_000 });
    const hook = rt.registerHook("pre_llm_request", () => undefined, { timeoutMs: 60_000 });
    session.registerHook("run_completed", () => undefined);
    const { sourceUuid } = rt.addSkillSource({ skills: [{ name: "tone", description: "Tone", content: "Be brief." }] });
    const sub = await session.subscribeEvents();
    await session.turn("Use the clock tool.");
    for await (const _ of session.stream("stop early")) break;
    if (i % 2 === 0) sub.close();
    session.destroy(); // the stream's run ends with it
    const other = rt.createSession();
    const cut = other.turn("[[sim:hang]] never answered");
    await other.interrupt();
    await cut; // resolves with what streamed so far
    other.destroy();
    rt.unregisterHook(hook);
    rt.unregisterTool("clock");
    rt.removeSkillSource(sourceUuid);
  };
  for (let i = 0; i < 20; i++) await cycle(i); // the allocator's working set
  const before = wasmBytes();
  for (let i = 0; i < 200; i++) await cycle(i);
  expect(wasmBytes()).toBe(before);
  expect(rt.listSessions()).toEqual([]);
  expect(rt.listSkillSources()).toEqual([]);
  expect(timersArmed()).toBe(0);
});
