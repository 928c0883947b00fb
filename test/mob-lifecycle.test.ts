/**
 * Members, flows, the mob lifecycle and subscriptions, on both sides of the
 * Worker bridge.
 */
import { describe, expect, test } from "vitest";
import { ERROR_CODES, MeerkatError, type MobDefinition, type SpawnedMember } from "@rkat/web";
import { resetSim, script, simRuntime } from "./support/runtime.js";
import { until } from "./support/features.js";
import { eventsOf, inFlight, memberTape, MODEL, replies, researchTeam, runsEnded, SIDES, tapeOf, type AnyMob, type AnyRuntime, runtimePerTest, leadAndWorker } from "./support/mob.js";

const FLOWS: MobDefinition["flows"] = {
  review: {
    steps: [
      { id: "draft", role: "worker", message: "Draft a note on {{params.topic}}." },
      { id: "check", role: "lead", message: "Check this draft: {{steps.draft.output}}", dependsOn: ["draft"] },
    ],
  },
  gated: {
    steps: [
      { id: "fast", role: "worker", message: "Quick pass on {{params.topic}}.", condition: 'params.mode == "fast"' },
      { id: "slow", role: "worker", message: "Careful pass on {{params.topic}}.", condition: '!(params.mode == "fast")' },
    ],
  },
  structured: {
    steps: [{ id: "facts", role: "lead", message: "Facts about {{params.topic}}.", outputFormat: "json" }],
  },
  stuck: {
    steps: [{ id: "wait", role: "lead", message: "Take your time on {{params.topic}}." }],
  },
  timed: {
    steps: [
      { id: "slow", role: "lead", message: "Race the clock on {{params.topic}}.", timeoutMs: 100 },
      { id: "after", role: "worker", message: "Follow up.", dependsOn: ["slow"] },
    ],
  },
};

/** A schema for the structured step: the answer is an object with a list of facts. */
const FACTS = {
  type: "object",
  properties: { facts: { type: "array", items: { type: "string" } } },
  required: ["facts"],
};

describe.each(SIDES)("members, flows, lifecycle ($name)", (side) => {
  let runtime: AnyRuntime;
  runtimePerTest(side, (opened) => (runtime = opened));

  async function team(extra: Partial<MobDefinition> = {}): Promise<AnyMob> {
    return leadAndWorker(runtime, researchTeam({ flows: FLOWS, ...extra }));
  }

  test("spawn: one result per row; a bad row fails alone and leaves nothing behind", async () => {
    const mob = await runtime.createMob(researchTeam());
    const results = await mob.spawn([
      { profile: "worker", agent_identity: "w-1" },
      { profile: "nope", agent_identity: "w-2" },
      { profile: "worker", agentIdentity: "w-1" },
      { profile: "worker", agentIdentity: "w-3", initialMessage: "Start on the reading list." },
    ]);
    expect(results.map((r) => [r.status, r.agentIdentity])).toEqual([
      ["spawned", "w-1"],
      ["failed", "w-2"],
      ["failed", "w-1"],
      ["spawned", "w-3"],
    ]);
    expect(results[0]).toMatchObject({ memberRef: "research-team/w-1", sessionId: expect.any(String) });
    expect(results[0]).not.toHaveProperty("runId");
    for (const failed of [results[1], results[2]]) {
      if (failed?.status !== "failed") throw new Error("expected a failed row");
      expect(ERROR_CODES).toContain(failed.code);
      expect(failed.message.length).toBeGreaterThan(10);
    }
    expect(results[1]?.status === "failed" && results[1].message).toMatch(/nope/);
    expect((await mob.listMembers()).map((m) => m.agentIdentity)).toEqual(["w-1", "w-3"]);

    const started = results[3] as SpawnedMember;
    expect(started.runId).toEqual(expect.any(Number));
    const first = await mob.member("w-3").waitForRun(started.runId as number);
    expect(first.text).toContain("Start on the reading list.");
    expect((await mob.memberStatus("w-3")).turns).toBe(1);
  });

  test("retire and respawn: same identity, new session, wiring restored", async () => {
    const mob = await team();
    await mob.wire("lead-1", "worker-1");
    const tape = await tapeOf(mob);
    const before = (await mob.memberStatus("worker-1")).sessionId;

    await mob.retire("worker-1");
    const retired = (await mob.listMembers()).find((m) => m.agentIdentity === "worker-1");
    expect(retired).toMatchObject({ status: "retired", wiredTo: [] });
    expect((await mob.memberStatus("worker-1")).status).toBe("retired");
    await expect(mob.member("worker-1").send("hello")).rejects.toMatchObject({ code: expect.any(String) });

    const lead = mob.member("lead-1");
    const refused = await lead.waitForRun((await lead.send("Send a message to worker-1: are you there?")).runId);
    expect(refused.text).toMatch(/^I could not send worker-1 the message: [A-Z_]+: /);

    const again = await mob.respawn("worker-1", "Back to work.");
    expect(again).toMatchObject({ status: "spawned", agentIdentity: "worker-1", memberRef: "research-team/worker-1" });
    expect(again.sessionId).not.toBe(before);
    expect((await mob.member("worker-1").waitForRun(again.runId as number)).text).toContain("Back to work.");
    const back = (await mob.listMembers()).find((m) => m.agentIdentity === "worker-1");
    expect(back).toMatchObject({ status: "idle", wiredTo: ["lead-1"], sessionId: again.sessionId });

    tape.read();
    expect(eventsOf(tape.items, "member_retired")).toEqual([expect.objectContaining({ member: "worker-1" })]);
    expect(eventsOf(tape.items, "member_spawned")).toEqual([
      expect.objectContaining({ member: "worker-1", role: "worker", sessionId: again.sessionId }),
    ]);
  });

  test("member handles: status, history, interrupt", async () => {
    const mob = await team();
    const worker = mob.member("worker-1");
    expect(worker.agentIdentity).toBe("worker-1");
    expect(worker.mobId).toBe("research-team");
    const done = await worker.waitForRun((await worker.send("Summarise the findings.")).runId);
    expect(done.text).toContain("Summarise the findings.");
    const status = await worker.status();
    expect(status).toMatchObject({ status: "idle", turns: 1, toolCalls: 0, currentActivity: null, inboxDepth: 0 });
    expect(status.usage.outputTokens).toBeGreaterThan(0);
    const history = await worker.history();
    expect(history.map((m) => m.role)).toEqual(["user", "assistant"]);

    await script("hang");
    const { runId } = await worker.send("Think hard.");
    await inFlight("Think hard.");
    const running = await worker.status();
    expect(running.status).toBe("running");
    expect(running.currentActivity).toEqual(expect.any(String));
    await worker.interrupt();
    await worker.waitForRun(runId);
    expect((await worker.status()).status).toBe("idle");
    await worker.interrupt(); // idle: nothing to stop
  });

  test("member subscriptions: own cursors, events with seq, independent of each other", async () => {
    const mob = await team();
    const a = await memberTape(mob, "worker-1");
    const b = await memberTape(mob, "worker-1");
    const other = await memberTape(mob, "lead-1");
    const worker = mob.member("worker-1");
    await worker.waitForRun((await worker.send("Hello there.")).runId);

    await a.until((events) => events.some((e) => e.type === "run_completed"));
    await b.until((events) => events.some((e) => e.type === "run_completed"));
    expect(a.items.map((e) => e.type)).toEqual(b.items.map((e) => e.type));
    expect(a.items[0]?.type).toBe("run_started");
    const seqs = a.items.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(other.read()).toEqual([]);
    a.sub.close();
    b.sub.close();
    expect(() => a.sub.poll()).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  test("the mob subscription reports spawns, wiring and status changes", async () => {
    const mob = await runtime.createMob(researchTeam({ wiring: { autoWireOrchestrator: false } }));
    const tape = await tapeOf(mob);
    await mob.spawn([
      { profile: "lead", agent_identity: "lead-1" },
      { profile: "worker", agent_identity: "worker-1" },
    ]);
    await mob.wire("lead-1", "worker-1");
    await mob.unwire("lead-1", "worker-1");
    await mob.stop();
    await mob.resume();
    await tape.until((items) => eventsOf(items, "mob_status_changed").length >= 2);

    expect(eventsOf(tape.items, "member_spawned").map((e) => [e.member, e.role])).toEqual([
      ["lead-1", "lead"],
      ["worker-1", "worker"],
    ]);
    expect(eventsOf(tape.items, "peers_wired")).toEqual([expect.objectContaining({ a: "lead-1", b: "worker-1" })]);
    expect(eventsOf(tape.items, "peers_unwired")).toEqual([expect.objectContaining({ a: "lead-1", b: "worker-1" })]);
    expect(eventsOf(tape.items, "mob_status_changed").map((e) => e.status)).toEqual(["stopped", "running"]);
    // Mob events name their members themselves; the item's member is a session's.
    const spawned = tape.items.find((i) => i.event.type === "member_spawned");
    expect(spawned).toMatchObject({ member: null, role: null, timestampMs: expect.any(Number) });
    const seqs = tape.items.map((i) => i.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
  });

  test("orchestrator auto-wiring and role wiring apply at spawn", async () => {
    const mob = await runtime.createMob(
      researchTeam({
        profiles: { lead: { model: MODEL }, worker: { model: MODEL }, critic: { model: MODEL } },
        wiring: { autoWireOrchestrator: true, roleWiring: [{ a: "worker", b: "critic" }] },
      }),
    );
    await mob.spawn([
      { profile: "lead", agent_identity: "lead-1" },
      { profile: "worker", agent_identity: "worker-1" },
      { profile: "critic", agent_identity: "critic-1" },
    ]);
    const wired = Object.fromEntries((await mob.listMembers()).map((m) => [m.agentIdentity, [...m.wiredTo].sort()]));
    expect(wired).toEqual({
      "lead-1": ["critic-1", "worker-1"],
      "worker-1": ["critic-1", "lead-1"],
      "critic-1": ["lead-1", "worker-1"],
    });
  });

  test("a flow: steps in order, templates filled, outputs kept", async () => {
    const mob = await team();
    const tape = await tapeOf(mob);
    const runId = await mob.runFlow("review", { topic: "otters" });
    expect(runId).toEqual(expect.any(String));
    const status = await until(async () => {
      const s = await mob.flowStatus(runId);
      return s.status === "completed" || s.status === "failed" ? s : undefined;
    });
    expect(status).toMatchObject({ runId, flowId: "review", status: "completed" });
    expect(status.steps.map((s) => [s.id, s.member, s.status])).toEqual([
      ["draft", "worker-1", "completed"],
      ["check", "lead-1", "completed"],
    ]);
    const draft = status.steps[0]?.output as string;
    expect(draft).toContain("Draft a note on otters.");
    expect(status.steps[1]?.output as string).toContain("Check this draft:");
    expect(JSON.stringify(await mob.member("lead-1").history())).toContain("Check this draft:");

    tape.read();
    const changes = eventsOf(tape.items, "flow_step_changed");
    expect(changes.every((c) => c.runId === runId && c.flowId === "review")).toBe(true);
    expect(changes.filter((c) => c.status === "completed").map((c) => c.step)).toEqual(["draft", "check"]);
    expect(replies(tape.items, "worker-1")[0]).toContain("Draft a note on otters.");
  });

  test("a role step fans out to every member of the role; conditions skip steps", async () => {
    const mob = await team();
    await mob.spawn([{ profile: "worker", agent_identity: "worker-2" }]);
    const runId = await mob.runFlow("gated", { topic: "beavers", mode: "fast" });
    const status = await until(async () => {
      const s = await mob.flowStatus(runId);
      return s.status === "completed" || s.status === "failed" ? s : undefined;
    });
    expect(status.status).toBe("completed");
    const fast = status.steps.filter((s) => s.id === "fast");
    expect(fast.map((s) => [s.member, s.status]).sort()).toEqual([
      ["worker-1", "completed"],
      ["worker-2", "completed"],
    ]);
    expect(status.steps.filter((s) => s.id === "slow").map((s) => s.status)).toEqual(["skipped"]);
  });

  test("flow status entries follow the protocol: member and output null while absent, dispatched while running", async () => {
    const mob = await team();
    await script("hang");
    const runId = await mob.runFlow("review", { topic: "lynxes" });
    await inFlight("Draft a note on lynxes.");
    const running = await mob.flowStatus(runId);
    expect(running.status).toBe("running");
    expect(running.steps).toEqual([
      { id: "draft", member: "worker-1", status: "dispatched", output: null },
      { id: "check", member: null, status: "pending", output: null },
    ]);
    const gated = await mob.runFlow("gated", { topic: "x", mode: "slow" });
    const skipped = (await mob.flowStatus(gated)).steps.find((s) => s.id === "fast");
    expect(skipped).toEqual({ id: "fast", member: null, status: "skipped", output: null });
    await mob.cancelFlow(runId);
  });

  test('outputFormat "json" gives the step a parsed structured output', async () => {
    const mob = await team({ profiles: { lead: { model: MODEL, outputSchema: FACTS }, worker: { model: MODEL } } });
    const runId = await mob.runFlow("structured", { topic: "owls" });
    const status = await until(async () => {
      const s = await mob.flowStatus(runId);
      return s.status === "completed" || s.status === "failed" ? s : undefined;
    });
    expect(status.status).toBe("completed");
    // The object itself, parsed: not its JSON text.
    const output = status.steps[0]?.output;
    expect(output).toEqual({ facts: expect.arrayContaining([expect.any(String)]) });
  });

  test("a step that times out stops its member's run: the member is idle and takes new work", async () => {
    const mob = await team();
    await script("hang");
    const runId = await mob.runFlow("timed", { topic: "time" });
    await inFlight("Race the clock on time.");
    const status = await until(async () => {
      const s = await mob.flowStatus(runId);
      return s.status === "failed" ? s : undefined;
    });
    expect(status.steps.map((s) => [s.id, s.status])).toEqual([
      ["slow", "failed"],
      ["after", "canceled"],
    ]);
    // The hung request was aborted with the step, not left to hold the member.
    await until(async () => ((await mob.memberStatus("lead-1")).status === "idle" ? true : undefined));
    const lead = mob.member("lead-1");
    const next = await lead.waitForRun((await lead.send("Next task.")).runId);
    expect(next.text).toContain("Next task.");
  });

  test("cancelFlow stops a flow in flight", async () => {
    const mob = await team();
    await script("hang");
    const runId = await mob.runFlow("stuck", { topic: "time" });
    await inFlight("Take your time on time.");
    expect((await mob.flowStatus(runId)).status).toBe("running");
    await mob.cancelFlow(runId);
    const status = await until(async () => {
      const s = await mob.flowStatus(runId);
      return s.status === "canceled" ? s : undefined;
    });
    expect(status.steps.map((s) => s.status)).toEqual(["canceled"]);
    await until(async () => ((await mob.memberStatus("lead-1")).status === "idle" ? true : undefined));
  });

  test("lifecycle: stop, resume, complete, destroy", async () => {
    const mob = await team();
    expect(await mob.status()).toBe("running");
    expect(await runtime.listMobs()).toEqual([{ mobId: "research-team", status: "running", memberCount: 2 }]);

    await mob.stop();
    expect(await mob.status()).toBe("stopped");
    await expect(mob.member("worker-1").send("hello")).rejects.toMatchObject({ code: "MOB_NOT_RUNNING" });
    await expect(mob.spawn([{ profile: "worker", agent_identity: "worker-2" }])).rejects.toMatchObject({ code: "MOB_NOT_RUNNING" });
    await expect(mob.runFlow("review", { topic: "x" })).rejects.toMatchObject({ code: "MOB_NOT_RUNNING" });
    expect((await mob.listMembers()).length).toBe(2); // reading still works

    await mob.resume();
    expect(await mob.status()).toBe("running");
    const worker = mob.member("worker-1");
    expect((await worker.waitForRun((await worker.send("Hello again.")).runId)).text).toContain("Hello again.");

    await mob.complete();
    expect(await mob.status()).toBe("completed");
    await expect(worker.send("more?")).rejects.toMatchObject({ code: "MOB_NOT_RUNNING" });
    expect((await worker.history()).length).toBe(2); // archived, still readable

    await mob.destroy();
    expect(await mob.status()).toBe("destroyed");
    // Refused with a typed error (which one: see "a destroyed mob answers MOB_NOT_FOUND").
    await expect(worker.send("hello")).rejects.toBeInstanceOf(MeerkatError);
    await expect(mob.spawn([{ profile: "worker", agent_identity: "worker-2" }])).rejects.toBeInstanceOf(MeerkatError);
  });

  test("destroy ends the runs in flight with CANCELLED", async () => {
    const mob = await team();
    await script("hang");
    const worker = mob.member("worker-1");
    const { runId } = await worker.send("Think forever.");
    await inFlight("Think forever.");
    const queued = await worker.send("And then some.", { handlingMode: "queue" });
    const ended = worker.waitForRun(runId).catch((e: unknown) => e);
    const dropped = worker.waitForRun(queued.runId).catch((e: unknown) => e);
    await mob.destroy();
    expect(await ended).toMatchObject({ code: "CANCELLED" });
    expect(await dropped).toMatchObject({ code: "CANCELLED" });
  });

  test.each(["destroy", "complete"] as const)(
    "%s unwires the mob's members from other mobs and tells the other mob",
    async (end) => {
      const make = (id: string) => runtime.createMob({ id, profiles: { envoy: { model: MODEL } } });
      const north = await make("north");
      const south = await make("south");
      await north.spawn([{ profile: "envoy", agent_identity: "a" }]);
      await south.spawn([{ profile: "envoy", agent_identity: "b" }]);
      await runtime.wireCrossMob("north", "a", "south", "b");
      const tape = await tapeOf(south);
      await north[end]();
      expect((await south.listMembers())[0]?.wiredTo).toEqual([]);
      // A completed mob's members are still listed, wired to nobody.
      if (end === "complete") expect((await north.listMembers())[0]?.wiredTo).toEqual([]);
      tape.read();
      expect(eventsOf(tape.items, "peers_unwired")).toEqual([expect.objectContaining({ a: "north/a", b: "south/b" })]);
      await expect(runtime.wireCrossMob("north", "a", "south", "b")).rejects.toMatchObject({ code: "MOB_NOT_RUNNING" });
    },
  );

  test("two mobs are listed; ids are unique", async () => {
    await team();
    await runtime.createMob({ id: "other", profiles: { solo: { model: MODEL } } });
    expect((await runtime.listMobs()).map((m) => m.mobId).sort()).toEqual(["other", "research-team"]);
    await expect(runtime.createMob(researchTeam())).rejects.toMatchObject({ code: "INVALID_MOB_DEFINITION" });
  });

  test("members' autonomous wake-ups follow peers' messages", async () => {
    const mob = await team();
    await mob.wire("lead-1", "worker-1");
    const tape = await tapeOf(mob);
    const lead = mob.member("lead-1");
    await lead.send("Send a message to worker-1: go.");
    await runsEnded(tape, "worker-1", 1);
    await runsEnded(tape, "lead-1", 2);
    expect((await mob.memberStatus("worker-1")).turns).toBeGreaterThanOrEqual(1);
  });
});

describe("readers that fall behind", () => {
  test("member and mob subscriptions each get one stream_truncated of their own", async () => {
    await resetSim();
    const small = await simRuntime({ eventQueueCapacity: 20 });
    try {
      const mob = await small.createMob(researchTeam());
      await mob.spawn([{ profile: "worker", agent_identity: "worker-1" }]);
      const member = await mob.subscribeMemberEvents("worker-1");
      const whole = await mob.subscribeEvents();
      const worker = mob.member("worker-1");
      const result = await worker.waitForRun((await worker.send("[[sim:deltas=200]]")).runId);
      expect(result.text.length).toBeGreaterThan(0);

      const events = member.poll();
      expect(events.filter((e) => e.type === "stream_truncated")).toHaveLength(1);
      expect(events[0]?.type).toBe("stream_truncated");
      expect(events.at(-1)?.type).toBe("run_completed");
      expect(events.length).toBeLessThanOrEqual(21);

      const items = whole.poll();
      expect(items.filter((i) => i.event.type === "stream_truncated")).toHaveLength(1);
      expect(items.at(-1)?.event.type).toBe("run_completed");
      expect(member.poll()).toEqual([]);
      expect(whole.poll()).toEqual([]);
    } finally {
      small.destroy();
    }
  });
});
