/**
 * Mobs through the Worker bridge (the real RPC over a MessageChannel):
 * subscriptions are pushed in batches, in order, and what a call produced
 * is on the page before the call settles; a dying Worker rejects mob calls.
 */
import { afterEach, beforeEach, expect, test } from "vitest";
import type { AgentEvent, AttributedMobEvent } from "@rkat/web";
import type { WorkerRuntime } from "@rkat/web/worker";
import { resetSim, script, workerPair } from "./support/runtime.js";
import { eventsOf, inFlight, researchTeam, tapeOf } from "./support/mob.js";

let runtime: WorkerRuntime;
let channel: MessageChannel;
let close: () => Promise<void>;

beforeEach(async () => {
  await resetSim();
  ({ runtime, channel, close } = await workerPair());
});
afterEach(() => close());

test("thousands of events reach the page in a few batches, in order", async () => {
  const mob = await runtime.createMob(researchTeam());
  await mob.spawn([{ profile: "worker", agent_identity: "worker-1" }]);
  const mobSub = await mob.subscribeEvents();
  const memberSub = await mob.subscribeMemberEvents("worker-1");

  const posted = { count: 0 };
  const original = MessagePort.prototype.postMessage;
  MessagePort.prototype.postMessage = function (this: MessagePort, ...args: Parameters<MessagePort["postMessage"]>) {
    posted.count += 1;
    return original.apply(this, args);
  } as MessagePort["postMessage"];
  let result;
  try {
    const worker = mob.member("worker-1");
    result = await worker.waitForRun((await worker.send("[[sim:deltas=2000]]")).runId);
  } finally {
    MessagePort.prototype.postMessage = original;
  }

  // Everything the run produced is on the page once waitForRun settled.
  const items: AttributedMobEvent[] = mobSub.poll();
  const events: AgentEvent[] = memberSub.poll();
  expect(events[0]?.type).toBe("run_started");
  expect(events.at(-1)?.type).toBe("run_completed");
  const text = events.map((e) => (e.type === "text_delta" ? e.delta : "")).join("");
  expect(text).toBe(result.text);
  expect(events.filter((e) => e.type === "text_delta").length).toBe(2000);
  expect(items.map((i) => i.event)).toEqual(events);
  const seqs = events.map((e) => e.seq);
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  // Two subscriptions, over 4000 events: batches, never one message per event.
  expect(posted.count).toBeLessThan(events.length / 4);
});

test("what a call produced is on the page when it settles", async () => {
  const mob = await runtime.createMob(researchTeam({ wiring: { autoWireOrchestrator: false } }));
  const sub = await mob.subscribeEvents();
  await mob.spawn([
    { profile: "lead", agent_identity: "lead-1" },
    { profile: "worker", agent_identity: "worker-1" },
  ]);
  expect(eventsOf(sub.poll(), "member_spawned").map((e) => e.member)).toEqual(["lead-1", "worker-1"]);
  await mob.wire("lead-1", "worker-1");
  expect(eventsOf(sub.poll(), "peers_wired")).toEqual([expect.objectContaining({ a: "lead-1", b: "worker-1" })]);
  await mob.stop();
  expect(eventsOf(sub.poll(), "mob_status_changed").map((e) => e.status)).toEqual(["stopped"]);
  sub.close();
  await mob.resume();
  expect(() => sub.poll()).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
});

test("subscriptions keep filling while the page waits on nothing", async () => {
  const mob = await runtime.createMob(researchTeam());
  await mob.spawn([
    { profile: "lead", agent_identity: "lead-1" },
    { profile: "worker", agent_identity: "worker-1" },
  ]);
  const tape = await tapeOf(mob);
  // Not awaited: the exchange runs in the Worker, batches arrive on their own.
  void mob.member("lead-1").send("Send a message to worker-1: report back.");
  const items = await tape.until((all) => eventsOf(all, "run_completed", "lead-1").length >= 2);
  expect(eventsOf(items, "message_delivered").map((d) => d.to)).toEqual(["worker-1", "lead-1"]);
});

test("a dying worker rejects pending mob calls instead of hanging", async () => {
  const mob = await runtime.createMob(researchTeam());
  await mob.spawn([{ profile: "worker", agent_identity: "worker-1" }]);
  await script("hang");
  const worker = mob.member("worker-1");
  const { runId } = await worker.send("Wait for it.");
  await inFlight("Wait for it.");
  const pending = worker.waitForRun(runId);
  channel.port2.dispatchEvent(new Event("error"));
  await expect(pending).rejects.toMatchObject({ code: "RUNTIME_TRAPPED" });
  await expect(mob.listMembers()).rejects.toMatchObject({ code: "RUNTIME_TRAPPED" });
  await expect(runtime.createMob(researchTeam({ id: "again" }))).rejects.toMatchObject({ code: "RUNTIME_TRAPPED" });
});

test("mob calls that come while the Worker loads its mob methods wait for them, in order, and share them", async () => {
  // A fresh Worker (beforeEach): its mob methods are a chunk loaded at the first mob call.
  const [a, b] = await Promise.all([runtime.createMob(researchTeam({ id: "a" })), runtime.createMob(researchTeam({ id: "b" }))]);
  // Both kept by the same host: each answers its own calls.
  await Promise.all([a.spawn([{ profile: "worker", agent_identity: "worker-a" }]), b.spawn([{ profile: "worker", agent_identity: "worker-b" }])]);
  expect((await a.listMembers()).map((m) => m.agentIdentity)).toEqual(["worker-a"]);
  expect((await b.listMembers()).map((m) => m.agentIdentity)).toEqual(["worker-b"]);
  expect((await runtime.listMobs()).map((m) => m.mobId).sort()).toEqual(["a", "b"]);
});
