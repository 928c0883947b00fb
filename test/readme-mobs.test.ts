/**
 * The README's mob example, run as written (main thread, simulated
 * provider), then its claims checked.
 */
import { afterEach, beforeEach, expect, test } from "vitest";
import type { MeerkatRuntime } from "@rkat/web";
import { resetSim, simRuntime } from "./support/runtime.js";
import { until } from "./support/features.js";

let runtime: MeerkatRuntime;

beforeEach(async () => {
  await resetSim();
  runtime = await simRuntime();
  runtime.registerTool("search", "Search the web.", { type: "object", properties: {} }, () => "nothing found");
});
afterEach(() => runtime.destroy());

test("the README's mob example", async () => {
  // ---- README: Mobs ----
  const mob = await runtime.createMob({
    id: "research-team",
    orchestrator: { profile: "lead" },
    profiles: {
      lead: { model: "claude-sonnet-4-6", peerDescription: "Leads the research." },
      worker: { model: "claude-sonnet-4-6", runtimeMode: "turn_driven", tools: { host: ["search"] } },
    },
    wiring: { autoWireOrchestrator: true, roleWiring: [{ a: "worker", b: "worker" }] },
    limits: { maxTurnsPerMemberPerMinute: 20, maxInboxDepth: 64, maxHops: 8, requestTimeoutMs: 120_000 },
    flows: {
      review: {
        steps: [
          { id: "draft", role: "worker", message: "Draft a note on {{params.topic}}." },
          { id: "check", role: "lead", dependsOn: ["draft"], message: "Check this draft: {{steps.draft.output}}" },
        ],
      },
    },
  });

  const rows = await mob.spawn([
    { profile: "lead", agent_identity: "lead-1" },
    { profile: "worker", agent_identity: "worker-1", initialMessage: "Get ready." },
  ]);

  const lead = mob.member("lead-1");
  const { runId } = await lead.send("Send a message to worker-1: collect the data.");
  const result = await lead.waitForRun(runId);

  const members = await mob.listMembers();
  const status = await mob.memberStatus("worker-1");

  const flowRun = await mob.runFlow("review", { topic: "beavers" });
  // ---- end of the README's example ----

  expect(rows.map((r) => r.status)).toEqual(["spawned", "spawned"]);
  // The shapes the example's comments give.
  expect(rows[0]).toMatchObject({ status: "spawned", agentIdentity: "lead-1", memberRef: expect.any(String) });
  for (const key of ["agentIdentity", "role", "runtimeMode", "status", "wiredTo", "sessionId"]) expect(members[0]).toHaveProperty(key);
  for (const key of ["status", "currentActivity", "turns", "toolCalls", "usage", "inboxDepth"]) expect(status).toHaveProperty(key);
  expect(result.text).toMatch(/worker-1/);
  expect(members.map((m) => [m.agentIdentity, m.wiredTo])).toEqual([
    ["lead-1", ["worker-1"]],
    ["worker-1", ["lead-1"]],
  ]);
  expect(["idle", "running"]).toContain(status.status);
  const done = await until(async () => {
    const s = await mob.flowStatus(flowRun);
    return s.status === "running" || s.status === "pending" ? undefined : s;
  });
  expect(done.status).toBe("completed");
  expect(done.steps[0]).toHaveProperty("output");
  expect(done.steps.map((s) => [s.id, s.member, s.status])).toEqual([
    ["draft", "worker-1", "completed"],
    ["check", "lead-1", "completed"],
  ]);
});
