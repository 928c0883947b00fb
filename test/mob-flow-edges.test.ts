/**
 * Flows at their edges, on both sides of the Worker bridge: a step's member
 * respawned or retired while the step waits on it, what cancelFlow tells
 * subscribers, JSON steps that get no JSON, a step no member can take,
 * and the order a subscriber reads a step's end and what it causes in.
 */
import { describe, expect, test } from "vitest";
import type { MobDefinition, MobFlowStatus } from "@rkat/web";
import { script } from "./support/runtime.js";
import { until } from "./support/features.js";
import { eventsOf, inFlight, researchTeam, runsEnded, SIDES, tapeOf, type AnyMob, type AnyRuntime, runtimePerTest, leadAndWorker } from "./support/mob.js";

const FLOWS: MobDefinition["flows"] = {
  review: {
    steps: [
      { id: "draft", role: "worker", message: "Draft a note on {{params.topic}}." },
      { id: "check", role: "lead", message: "Check this draft: {{steps.draft.output}}", dependsOn: ["draft"] },
    ],
  },
  structured: { steps: [{ id: "facts", role: "lead", message: "Facts about {{params.topic}}.", outputFormat: "json" }] },
};

describe.each(SIDES)("flow edges ($name)", (side) => {
  let runtime: AnyRuntime;
  runtimePerTest(side, (opened) => (runtime = opened));

  async function team(): Promise<AnyMob> {
    return leadAndWorker(runtime, researchTeam({ flows: FLOWS }));
  }

  const rows = (s: MobFlowStatus) => s.steps.map((r) => [r.id, r.status]);

  test("a step whose member is respawned mid-flow fails the flow instead of leaving it running for good", async () => {
    const mob = await team();
    await script("hang");
    const runId = await mob.runFlow("review", { topic: "otters" });
    await inFlight("Draft a note on otters.");
    await mob.respawn("worker-1");
    // Settled by the respawn itself: nothing left to wait for.
    const status = await mob.flowStatus(runId);
    expect(status.status).toBe("failed");
    expect(rows(status)).toEqual([
      ["draft", "failed"],
      ["check", "canceled"],
    ]);
    expect(status.steps[0]?.output).toBe("member worker-1 was retired");
  });

  test("a step queued behind its member's own run fails when the member is retired", async () => {
    const mob = await team();
    await script("hang");
    await mob.member("worker-1").send("Busy forever.");
    await inFlight("Busy forever.");
    const runId = await mob.runFlow("review", { topic: "otters" });
    expect((await mob.memberStatus("worker-1")).inboxDepth).toBe(1);
    await mob.retire("worker-1");
    const status = await mob.flowStatus(runId);
    expect(status.status).toBe("failed");
    expect(rows(status)).toEqual([
      ["draft", "failed"],
      ["check", "canceled"],
    ]);
  });

  test("cancelFlow tells subscribers every step it cancels", async () => {
    const mob = await team();
    const tape = await tapeOf(mob);
    await script("hang");
    const runId = await mob.runFlow("review", { topic: "otters" });
    await inFlight("Draft a note on otters.");
    await mob.cancelFlow(runId);
    tape.read();
    const told = eventsOf(tape.items, "flow_step_changed").map((c) => [c.step, c.member, c.status]);
    expect(told).toEqual([
      ["draft", "worker-1", "dispatched"],
      ["draft", "worker-1", "canceled"],
      ["check", null, "canceled"],
    ]);
    expect(rows(await mob.flowStatus(runId))).toEqual([
      ["draft", "canceled"],
      ["check", "canceled"],
    ]);
  });

  test("a step whose role has no live member fails, saying so in flowStatus and flow_step_changed", async () => {
    const mob = await team();
    await mob.retire("worker-1");
    const tape = await tapeOf(mob);
    const runId = await mob.runFlow("review", { topic: "otters" });
    const status = await mob.flowStatus(runId);
    const why = 'no live member of role "worker" to take the step (spawn or respawn one)';
    expect(status.status).toBe("failed");
    expect(status.steps).toEqual([
      { id: "draft", member: null, status: "failed", output: why },
      { id: "check", member: null, status: "canceled", output: null },
    ]);
    tape.read();
    const told = eventsOf(tape.items, "flow_step_changed").map((c) => [c.step, c.member, c.status, c.error]);
    expect(told).toEqual([
      ["draft", null, "failed", why],
      ["check", null, "canceled", undefined],
    ]);
  });

  test('an outputFormat "json" step whose answer is not JSON fails, saying so', async () => {
    const mob = await team();
    const runId = await mob.runFlow("structured", { topic: "[[sim:json=broken]] owls" });
    const status = await until(async () => {
      const s = await mob.flowStatus(runId);
      return s.status === "running" ? undefined : s;
    });
    expect(status.status).toBe("failed");
    expect(status.steps[0]?.status).toBe("failed");
    expect(status.steps[0]?.output).toMatch(/^outputFormat is "json" and the answer is not: the answer is not valid JSON/);
  });

  test("a subscriber reads a step's run end before the step change and the next step's run it causes", async () => {
    const mob = await team();
    const tape = await tapeOf(mob);
    await mob.runFlow("review", { topic: "otters" });
    const items = await runsEnded(tape, "lead-1", 1);
    const at = (what: (i: (typeof items)[number]) => boolean) => items.findIndex(what);
    const ended = at((i) => i.member === "worker-1" && i.event.type === "run_completed");
    const completed = at(
      (i) => i.event.type === "flow_step_changed" && i.event.step === "draft" && i.event.status === "completed",
    );
    const next = at((i) => i.member === "lead-1" && i.event.type === "run_started");
    expect(ended).toBeGreaterThanOrEqual(0);
    expect([ended < completed, completed < next]).toEqual([true, true]);
    expect(items.map((i) => i.seq)).toEqual(items.map((_, k) => k + 1));
  });
});
