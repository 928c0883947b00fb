/**
 * Subscriptions as a page keeps them for a long time: a member's follows
 * the member across respawns (and every subscription still reads the old
 * session to its run's end when a busy member is respawned), and every subscription keeps at most
 * `eventQueueCapacity` events between polls, on the main thread and on a
 * Worker client's page alike (the newest; one `stream_truncated` first).
 */
import { describe, expect, test } from "vitest";
import type { AgentEvent, AttributedMobEvent, RuntimeConfig } from "@rkat/web";
import { closedAfterEachTest, resetSim, script } from "./support/runtime.js";
import { SIDES, inFlight, researchTeam, type AnyRuntime } from "./support/mob.js";

describe.each(SIDES)("$name", (side) => {
  const closing = closedAfterEachTest();
  const open = async (extra?: RuntimeConfig): Promise<AnyRuntime> => {
    await resetSim();
    const opened = await side.open(extra);
    closing(opened.close);
    return opened.runtime;
  };

  test("a member's subscription follows the member across a respawn", async () => {
    const runtime = await open();
    const mob = await runtime.createMob(researchTeam());
    await mob.spawn([{ profile: "lead", agent_identity: "lead-1" }, { profile: "worker", agent_identity: "worker-1" }]);
    const sub = await mob.subscribeMemberEvents("worker-1");
    const worker = mob.member("worker-1");
    await worker.waitForRun((await worker.send("Before.")).runId);
    const before = sub.poll();
    const firstSession = (await mob.memberStatus("worker-1")).sessionId;
    expect(before.map((e) => e.type)).toContain("run_completed");

    const { runId } = await mob.respawn("worker-1", "After.");
    expect(runId).toBeTypeOf("number");
    await worker.waitForRun(runId as number);
    const after = sub.poll();
    const started = after.filter((e): e is Extract<AgentEvent, { type: "run_started" }> => e.type === "run_started");
    const secondSession = (await mob.memberStatus("worker-1")).sessionId;
    expect(secondSession).not.toBe(firstSession);
    expect(started.map((e) => [e.sessionId, e.prompt])).toEqual([[secondSession, "After."]]);
    expect(after.at(-1)?.type).toBe("run_completed");
    // Only the member's own events: nothing of the lead's, nor the mob's.
    expect(after.every((e) => !("member" in e))).toBe(true);
    expect(sub.poll()).toEqual([]);
    sub.close();
  });

  test("a respawn of a busy member leaves every subscription the old session's events, its run's end included", async () => {
    const runtime = await open();
    const mob = await runtime.createMob(researchTeam());
    await mob.spawn([{ profile: "lead", agent_identity: "lead-1" }, { profile: "worker", agent_identity: "worker-1" }]);
    const memberSub = await mob.subscribeMemberEvents("worker-1");
    const mobSub = await mob.subscribeEvents();
    const oldSession = (await mob.memberStatus("worker-1")).sessionId;
    await script("hang");
    await mob.member("worker-1").send("Dig forever.");
    await inFlight("Dig forever.");
    const { sessionId: newSession, runId } = await mob.respawn("worker-1", "After.");
    await mob.member("worker-1").waitForRun(runId as number);

    const whole = mobSub.poll().filter((i: AttributedMobEvent) => i.member === "worker-1").map((i) => i.event as AgentEvent);
    for (const [name, events] of [
      ["member", memberSub.poll()],
      ["mob", whole],
    ] as const) {
      const sessions = events.flatMap((e) => ("sessionId" in e ? [e.sessionId] : []));
      // The old session from its run's start to its end, then the new one's.
      expect(events[0]?.type, name).toBe("run_started");
      expect(sessions[0], name).toBe(oldSession);
      const end = events.findIndex((e) => e.type === "run_failed");
      expect(end, name).toBeGreaterThan(0);
      const failed = events[end] as Extract<AgentEvent, { type: "run_failed" }>;
      expect([failed.sessionId, failed.error], name).toEqual([oldSession, "member worker-1 was retired"]);
      const firstNew = sessions.indexOf(newSession as string);
      expect(firstNew, name).toBeGreaterThan(0);
      expect(sessions.slice(0, firstNew).every((s) => s === oldSession), name).toBe(true);
      expect(sessions.slice(firstNew).every((s) => s === newSession), name).toBe(true);
      expect(events.at(-1)?.type, name).toBe("run_completed");
    }
    expect(memberSub.poll()).toEqual([]);
    memberSub.close();
    mobSub.close();
  });

  test("a subscription nobody polls keeps the newest events, after one stream_truncated", async () => {
    const capacity = 20;
    const runtime = await open({ eventQueueCapacity: capacity });
    const session = await runtime.createSession();
    const sessionSub = await session.subscribeEvents();
    const mob = await runtime.createMob(researchTeam());
    await mob.spawn([{ profile: "worker", agent_identity: "worker-1" }]);
    const memberSub = await mob.subscribeMemberEvents("worker-1");
    const mobSub = await mob.subscribeEvents();
    const worker = mob.member("worker-1");
    await worker.waitForRun((await worker.send("[[sim:deltas=3000,chunk=4096]]")).runId);
    await session.turn("[[sim:deltas=3000,chunk=4096]]");

    const sessionEvents = sessionSub.poll();
    for (const [name, events] of [
      ["session", sessionEvents],
      ["member", memberSub.poll()],
      [
        "mob",
        mobSub.poll().map((item: AttributedMobEvent) => ({
          ...(item.event.type === "stream_truncated" ? item.event : { type: item.event.type }),
          seq: item.seq,
        })),
      ],
    ] as const) {
      expect(events.length, name).toBeLessThanOrEqual(capacity + 1);
      expect(events[0]?.type, name).toBe("stream_truncated");
      // One marker for the whole gap, right before the first event kept, saying how many it stands for.
      const marker = events[0] as { seq: number; dropped: number; reason: string };
      expect(marker.seq, name).toBe(events[1]!.seq - 1);
      expect(marker.dropped, name).toBeGreaterThan(capacity);
      expect(marker.reason, name).toMatch(new RegExp(`^${marker.dropped} events were dropped because at most ${capacity} `));
      expect(events.at(-1)?.type, name).toBe("run_completed");
      const seqs = events.slice(1).map((e) => e.seq);
      expect(seqs.length, name).toBeGreaterThan(0);
    }
    // The session's subscription saw every event from the first: the gap is all it lost.
    expect((sessionEvents[0] as { dropped: number }).dropped).toBe(sessionEvents[1]!.seq - 1);
    sessionSub.close();
    memberSub.close();
    mobSub.close();
  });
});
