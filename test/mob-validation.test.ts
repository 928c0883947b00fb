/**
 * Bad input to every mob method, on both sides of the Worker bridge: a
 * MeerkatError with a stable code and a message saying what to fix, and
 * nothing changed.
 */
import { beforeEach, describe, expect, test, vi } from "vitest";
import { refuses, rejects } from "./support/refusals.js";
import { resetSim, simRuntime } from "./support/runtime.js";
import { MODEL, researchTeam, SIDES, tapeOf, type AnyMob, type AnyRuntime, runtimePerTest, leadAndWorker } from "./support/mob.js";

describe.each(SIDES)("mob input checks ($name)", (side) => {
  let runtime: AnyRuntime;
  let close: () => Promise<void>;
  let mob: AnyMob;
  runtimePerTest(side, (opened, closer) => {
    runtime = opened;
    close = closer;
  });
  beforeEach(async () => {
    const flows = { review: { steps: [{ id: "draft", role: "worker", message: "Draft {{params.topic}}." }] } };
    mob = await leadAndWorker(runtime, researchTeam({ flows, wiring: { autoWireOrchestrator: false } }));
  });

  /** Nothing changed: still the two members, unwired, and the mob runs. */
  async function unchanged(): Promise<void> {
    const members = await mob.listMembers();
    expect(members.map((m) => [m.agentIdentity, m.status, m.wiredTo.length])).toEqual([
      ["lead-1", "idle", 0],
      ["worker-1", "idle", 0],
    ]);
    expect(await mob.status()).toBe("running");
  }

  test("createMob", async () => {
    await rejects(() => runtime.createMob(null as never), "INVALID_MOB_DEFINITION", /plain object/);
    await rejects(() => runtime.createMob("research-team" as never), "INVALID_MOB_DEFINITION");
    await rejects(() => runtime.createMob([] as never), "INVALID_MOB_DEFINITION");
    await rejects(
      () => runtime.createMob({ ...researchTeam({ id: "fn" }), extra: () => 1 } as never),
      "INVALID_MOB_DEFINITION",
      /JSON data/,
    );
    await rejects(() => runtime.createMob({ profiles: {} } as never), "INVALID_MOB_DEFINITION", /id/);
    await rejects(() => runtime.createMob({ id: 7, profiles: {} } as never), "INVALID_MOB_DEFINITION", /id/);
    await rejects(
      () => runtime.createMob({ id: "m", profiles: { lead: { model: "llama-3" } } }),
      "INVALID_MOB_DEFINITION",
      /profiles\.lead.*llama-3/,
    );
    await rejects(
      () => runtime.createMob({ id: "m", profiles: { lead: { model: 5 } } } as never),
      "INVALID_MOB_DEFINITION",
      /profiles\.lead\.model/,
    );
    await rejects(
      () => runtime.createMob({ id: "m", profiles: { lead: { model: MODEL, compaction: { keepRecentTurns: 0 } } } }),
      "INVALID_MOB_DEFINITION",
      /profiles\.lead\.compaction/,
    );
    await rejects(
      () => runtime.createMob({ id: "m", orchestrator: { profile: "boss" }, profiles: { lead: { model: MODEL } } }),
      "INVALID_MOB_DEFINITION",
      /orchestrator/,
    );
    await rejects(
      () =>
        runtime.createMob({
          id: "m",
          profiles: { lead: { model: MODEL } },
          wiring: { roleWiring: [{ a: "lead", b: "ghost" }] },
        }),
      "INVALID_MOB_DEFINITION",
      /wiring/,
    );
    await rejects(
      () => runtime.createMob({ id: "m", profiles: { lead: { model: MODEL, skills: ["missing-skill"] } } }),
      "INVALID_MOB_DEFINITION",
      /skills/,
    );
    await rejects(
      () => runtime.createMob({ id: "m", profiles: { lead: { model: MODEL, runtimeMode: "sometimes" as never } } }),
      "INVALID_MOB_DEFINITION",
      /runtimeMode|runtime_mode/,
    );
    await rejects(
      () =>
        runtime.createMob({
          id: "m",
          profiles: { lead: { model: MODEL } },
          flows: { f: { steps: [{ id: "s", role: "nobody", message: "x" }] } },
        }),
      "INVALID_MOB_DEFINITION",
      /flows\.f/,
    );
    // Every message names the field, in full.
    await rejects(
      () => runtime.createMob({ id: "m", profiles: { lead: { model: MODEL } }, wiring: { roleWiring: {} as never } }),
      "INVALID_MOB_DEFINITION",
      /mob definition\.wiring\.roleWiring must be an array, got an object/,
    );
    await rejects(
      () => runtime.createMob({ id: "m", profiles: { lead: { model: MODEL, skills: "x" as never } } }),
      "INVALID_MOB_DEFINITION",
      /mob definition\.profiles\.lead\.skills must be an array, got a string/,
    );
    // Both spellings of a field may be given only with one value.
    await rejects(
      () =>
        runtime.createMob({
          id: "m",
          profiles: { lead: { model: MODEL, runtimeMode: "turn_driven", runtime_mode: "autonomous_host" } as never },
        }),
      "INVALID_MOB_DEFINITION",
      /profiles\.lead gives both runtimeMode and runtime_mode/,
    );
    await rejects(
      () => runtime.createMob({ id: "m", profiles: { lead: { model: MODEL, peerDescription: "A", peer_description: "B" } as never } }),
      "INVALID_MOB_DEFINITION",
      /peerDescription and peer_description/,
    );
    await rejects(() => runtime.createMob(researchTeam()), "INVALID_MOB_DEFINITION", /research-team/);
    // None of them was created.
    expect((await runtime.listMobs()).map((m) => m.mobId)).toEqual(["research-team"]);
  });

  test("spawn", async () => {
    await rejects(() => mob.spawn(undefined as never), "INVALID_ARGUMENT", /array/);
    await rejects(() => mob.spawn({ profile: "worker", agent_identity: "w" } as never), "INVALID_ARGUMENT", /array/);
    await rejects(() => mob.spawn([{ profile: "worker", agent_identity: "w" }, 5] as never), "INVALID_ARGUMENT", /specs\[1\]/);
    await rejects(
      () => mob.spawn([{ profile: "worker", agent_identity: "w", initialMessage: (() => "x") as never }]),
      "INVALID_ARGUMENT",
      /JSON data/,
    );
    await unchanged();
    // Bad rows are the core's, one by one.
    const rows = await mob.spawn([
      { profile: "worker" } as never,
      { agent_identity: "w-2" } as never,
      { profile: "worker", agent_identity: "w-3", initialMessage: " " },
      { profile: "worker", agent_identity: "w-4", agentIdentity: "w-5" } as never,
      { profile: "worker", agent_identity: "w-6", runtimeMode: "turn_driven", runtime_mode: "autonomous_host" } as never,
    ]);
    expect(rows.map((r) => r.status)).toEqual(["failed", "failed", "failed", "failed", "failed"]);
    expect(rows.slice(2).map((r) => (r.status === "failed" ? [r.code, r.message] : []))).toEqual([
      ["INVALID_ARGUMENT", expect.stringMatching(/^spawn spec\.initialMessage: .*empty/)],
      ["INVALID_ARGUMENT", expect.stringMatching(/agentIdentity and agent_identity/)],
      ["INVALID_ARGUMENT", expect.stringMatching(/runtimeMode and runtime_mode/)],
    ]);
    await unchanged();
  });

  test("retire, respawn, memberStatus, listMembers", async () => {
    await rejects(() => mob.retire(5 as never), "INVALID_ARGUMENT", /mob\.retire: id must be a string/);
    await rejects(() => mob.retire("ghost"), "MEMBER_NOT_FOUND", /ghost/);
    await rejects(() => mob.respawn(null as never), "INVALID_ARGUMENT", /mob\.respawn: id/);
    await rejects(() => mob.respawn("worker-1", 5 as never), "INVALID_ARGUMENT", /initialMessage/);
    await rejects(() => mob.respawn("worker-1", ""), "INVALID_ARGUMENT", /mob\.respawn: initialMessage is empty/);
    await rejects(() => mob.respawn("worker-1", "   "), "INVALID_ARGUMENT", /mob\.respawn: initialMessage is empty or blank/);
    await rejects(() => mob.respawn("ghost"), "MEMBER_NOT_FOUND", /ghost/);
    await rejects(() => mob.memberStatus({} as never), "INVALID_ARGUMENT", /mob\.memberStatus: id/);
    await rejects(() => mob.memberStatus("ghost"), "MEMBER_NOT_FOUND", /ghost/);
    await unchanged();
  });

  test("member handles", async () => {
    refuses(() => mob.member(5 as never), "INVALID_ARGUMENT", /mob\.member: id must be a string/);
    refuses(() => mob.member(undefined as never), "INVALID_ARGUMENT");
    const ghost = mob.member("ghost"); // looked up by each call
    await rejects(() => ghost.send("hello"), "MEMBER_NOT_FOUND", /ghost/);
    await rejects(() => ghost.status(), "MEMBER_NOT_FOUND", /ghost/);
    await rejects(() => ghost.history(), "MEMBER_NOT_FOUND", /ghost/);
    await rejects(() => ghost.interrupt(), "MEMBER_NOT_FOUND", /ghost/);

    const worker = mob.member("worker-1");
    await rejects(() => worker.send(5 as never), "INVALID_ARGUMENT", /member\.send: content/);
    await rejects(() => worker.send(null as never), "INVALID_ARGUMENT", /member\.send: content/);
    await rejects(() => worker.send([]), "INVALID_ARGUMENT", /member\.send: content is empty/);
    await rejects(() => worker.send(""), "INVALID_ARGUMENT", /member\.send: content is empty/);
    await rejects(() => worker.send("", { handlingMode: "steer" }), "INVALID_ARGUMENT", /empty/);
    await rejects(() => worker.send(" \n "), "INVALID_ARGUMENT", /member\.send: content is empty or blank/);
    await rejects(() => worker.send([{ type: "text", text: "  " }]), "INVALID_ARGUMENT", /prompt is empty or blank/);
    await rejects(() => worker.send([{ type: "video" } as never]), "INVALID_ARGUMENT");
    await rejects(() => worker.send("x", { handlingMode: "now" as never }), "INVALID_ARGUMENT", /"queue" or "steer"/);
    await rejects(() => worker.send("x", { mode: "queue" } as never), "INVALID_ARGUMENT", /unknown option "mode"/);
    await rejects(() => worker.send("x", "steer" as never), "INVALID_ARGUMENT", /options must be a plain object/);
    await rejects(() => worker.waitForRun("1" as never), "INVALID_ARGUMENT", /runId/);
    await rejects(() => worker.waitForRun(-1), "INVALID_ARGUMENT", /runId/);
    await rejects(() => worker.waitForRun(987654), "INVALID_ARGUMENT", /987654/);
    await unchanged();
    expect((await worker.status()).turns).toBe(0);
  });

  test("wire and unwire", async () => {
    await rejects(() => mob.wire(1 as never, "worker-1"), "INVALID_ARGUMENT", /mob\.wire: a/);
    await rejects(() => mob.wire("lead-1", null as never), "INVALID_ARGUMENT", /mob\.wire: b/);
    await rejects(() => mob.wire("lead-1", "ghost"), "MEMBER_NOT_FOUND", /ghost/);
    await rejects(() => mob.wire("lead-1", "lead-1"), "INVALID_ARGUMENT", /lead-1/);
    await rejects(() => mob.unwire(1 as never, "worker-1"), "INVALID_ARGUMENT", /mob\.unwire: a/);
    await rejects(() => mob.unwire("ghost", "worker-1"), "MEMBER_NOT_FOUND", /ghost/);
    await unchanged();
  });

  test("subscriptions", async () => {
    await rejects(() => mob.subscribeMemberEvents(3 as never), "INVALID_ARGUMENT", /subscribeMemberEvents: id/);
    await rejects(() => mob.subscribeMemberEvents("ghost"), "MEMBER_NOT_FOUND", /ghost/);
    const sub = await mob.subscribeEvents();
    sub.close();
    sub.close(); // idempotent
    refuses(() => sub.poll(), "INVALID_ARGUMENT", /closed/);
  });

  test("flows", async () => {
    await rejects(() => mob.runFlow(5 as never), "INVALID_ARGUMENT", /mob\.runFlow: flowId/);
    await rejects(() => mob.runFlow("review", "otters" as never), "INVALID_ARGUMENT", /params/);
    await rejects(() => mob.runFlow("review", { topic: () => "x" } as never), "INVALID_ARGUMENT", /JSON data/);
    await rejects(() => mob.runFlow("nope"), "FLOW_NOT_FOUND", /nope/);
    await rejects(() => mob.flowStatus(5 as never), "INVALID_ARGUMENT", /mob\.flowStatus: runId/);
    await rejects(() => mob.flowStatus("no-such-run"), "FLOW_NOT_FOUND", /no-such-run/);
    await rejects(() => mob.cancelFlow(undefined as never), "INVALID_ARGUMENT", /mob\.cancelFlow: runId/);
    await rejects(() => mob.cancelFlow("no-such-run"), "FLOW_NOT_FOUND", /no-such-run/);
    await unchanged();
  });

  test("cross-mob wiring", async () => {
    const other = await runtime.createMob({ id: "other", profiles: { solo: { model: MODEL } } });
    await other.spawn([{ profile: "solo", agent_identity: "solo-1" }]);
    await rejects(() => runtime.wireCrossMob(5 as never, "lead-1", "other", "solo-1"), "INVALID_ARGUMENT", /mobA/);
    await rejects(() => runtime.wireCrossMob("research-team", 5 as never, "other", "solo-1"), "INVALID_ARGUMENT", /memberA/);
    await rejects(() => runtime.wireCrossMob("research-team", "lead-1", null as never, "solo-1"), "INVALID_ARGUMENT", /mobB/);
    await rejects(() => runtime.wireCrossMob("research-team", "lead-1", "other", {} as never), "INVALID_ARGUMENT", /memberB/);
    await rejects(() => runtime.wireCrossMob("ghost-mob", "lead-1", "other", "solo-1"), "MOB_NOT_FOUND", /ghost-mob/);
    await rejects(() => runtime.wireCrossMob("research-team", "lead-1", "other", "ghost"), "MEMBER_NOT_FOUND", /ghost/);
    await rejects(() => runtime.unwireCrossMob("ghost-mob", "lead-1", "other", "solo-1"), "MOB_NOT_FOUND", /ghost-mob/);
    await rejects(() => runtime.unwireCrossMob("research-team", 1 as never, "other", "solo-1"), "INVALID_ARGUMENT");
    await unchanged();
    expect((await other.listMembers())[0]?.wiredTo).toEqual([]);
  });

  test("a destroyed mob refuses new work with MOB_NOT_RUNNING and stays listed as destroyed", async () => {
    await mob.destroy();
    expect(await mob.status()).toBe("destroyed");
    expect(await mob.listMembers()).toEqual([]);
    await rejects(() => mob.spawn([{ profile: "worker", agent_identity: "w" }]), "MOB_NOT_RUNNING", /destroyed/);
    await rejects(() => mob.member("lead-1").send("x"), "MOB_NOT_RUNNING", /destroyed/);
    // Said as it is: the mob is over (not that it has no such member).
    await rejects(() => mob.wire("lead-1", "worker-1"), "MOB_NOT_RUNNING", /destroyed/);
    await rejects(() => mob.runFlow("review"), "MOB_NOT_RUNNING", /destroyed/);
    await rejects(() => mob.stop(), "MOB_NOT_RUNNING", /destroyed/);
    await rejects(() => mob.resume(), "MOB_NOT_RUNNING", /destroyed/);
    const other = await runtime.createMob({ id: "other", profiles: { solo: { model: MODEL } } });
    await other.spawn([{ profile: "solo", agent_identity: "solo-1" }]);
    await rejects(() => runtime.wireCrossMob("other", "solo-1", "research-team", "lead-1"), "MOB_NOT_RUNNING", /research-team.*destroyed/);
    expect((await other.listMembers())[0]?.wiredTo).toEqual([]);
    expect(await runtime.listMobs()).toContainEqual({ mobId: "research-team", status: "destroyed", memberCount: 0 });
    // The id can be used again once the mob is destroyed.
    const again = await runtime.createMob({ id: "research-team", profiles: { solo: { model: MODEL } } });
    expect(await again.status()).toBe("running");
  });

  test("a destroyed runtime answers RUNTIME_DESTROYED", async () => {
    await close();
    await rejects(() => runtime.createMob(researchTeam({ id: "later" })), "RUNTIME_DESTROYED");
    await rejects(() => runtime.listMobs(), "RUNTIME_DESTROYED");
    await rejects(() => mob.status(), "RUNTIME_DESTROYED");
    await rejects(() => mob.member("lead-1").send("x"), "RUNTIME_DESTROYED");
  });
});

/**
 * Messages over maxPromptBytes, refused by the core after the page's checks
 * passed: a refused spawn row or respawn leaves no member, session, wire or
 * event behind (the core's checks are the same on both sides).
 */
describe("refused messages change nothing", () => {
  test("an oversized initialMessage in a spawn row or a respawn", async () => {
    await resetSim();
    const runtime = await simRuntime({ maxPromptBytes: 64 });
    try {
      const mob = await runtime.createMob(researchTeam());
      await mob.spawn([
        { profile: "lead", agent_identity: "lead-1" },
        { profile: "worker", agent_identity: "worker-1" },
      ]);
      const before = await mob.listMembers();
      const sessions = runtime.listSessions().length;
      const tape = await tapeOf(mob);
      const big = "x".repeat(100);

      const rows = await mob.spawn([{ profile: "worker", agent_identity: "worker-2", initialMessage: big }]);
      expect(rows).toEqual([
        expect.objectContaining({ status: "failed", code: "PROMPT_TOO_LARGE", message: expect.stringMatching(/initialMessage/) }),
      ]);
      await rejects(() => mob.respawn("worker-1", big), "PROMPT_TOO_LARGE", /initialMessage/);

      expect(await mob.listMembers()).toEqual(before);
      expect(runtime.listSessions()).toHaveLength(sessions);
      expect(tape.read()).toEqual([]);
      // The identity stays free, and the member is still the same one.
      const again = await mob.spawn([{ profile: "worker", agent_identity: "worker-2" }]);
      expect(again[0]?.status).toBe("spawned");
    } finally {
      runtime.destroy();
    }
  });
});

test("a profile's legacy \"<sourceUuid>/<skillName>\" skill string warns once, as a session's does; a mob skill's bare name does not", async () => {
  await resetSim();
  const runtime = await simRuntime();
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  try {
    const { sourceUuid } = runtime.addSkillSource({ skills: [{ name: "tone", description: "How to write", content: "Haiku." }] });
    const own = { tone: { source: "inline" as const, content: "Be brief." } };
    await runtime.createMob({ id: "bare", skills: own, profiles: { lead: { model: MODEL, skills: ["tone"] } } });
    expect(warn).not.toHaveBeenCalled();
    const profiles = { lead: { model: MODEL, skills: [`${sourceUuid}/tone`] } };
    await runtime.createMob({ id: "legacy", profiles });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(new RegExp(`"${sourceUuid}/tone".*deprecated.*\\{ sourceUuid, skillName \\}`));
  } finally {
    warn.mockRestore();
    runtime.destroy();
  }
});
