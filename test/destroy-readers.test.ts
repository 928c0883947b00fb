/**
 * A session destroyed (or a mob destroyed, a member retired) while a run
 * is in flight, on the main thread and through the Worker: every reader
 * of its events, not only the caller, sees the run end (`run_failed`),
 * then its next poll says the session (or mob) is gone.
 */
import { describe, expect, test } from "vitest";
import type { AgentEvent, EventSubscription, Prompt } from "@rkat/web";
import { script } from "./support/runtime.js";
import { until } from "./support/features.js";
import {
  eventsOf,
  inFlight,
  leadAndWorker,
  memberTape,
  researchTeam,
  runtimePerTest,
  SIDES,
  tapeOf,
  type AnyRuntime,
} from "./support/mob.js";

const DESTROYED = "the session was destroyed while a turn was in flight";

/** The code of what `read` throws (sync or async), or "none". */
async function codeOf(read: () => unknown): Promise<string> {
  try {
    await read();
    return "none";
  } catch (error) {
    return (error as { code: string }).code;
  }
}

/** Poll `sub` until it has seen a `turn_started`: the run is waiting on the provider. */
async function untilTurnStarted(sub: EventSubscription, seen: AgentEvent[]): Promise<void> {
  await until(() => {
    seen.push(...sub.poll());
    return seen.some((e) => e.type === "turn_started") ? true : undefined;
  });
}

describe.each(SIDES)("destroyed mid-run ($name)", (side) => {
  let runtime: AnyRuntime;
  runtimePerTest(side, (opened) => (runtime = opened));

  test("session.destroy(): a subscription and pollEvents read the run's end, then SESSION_NOT_FOUND", async () => {
    const session = await runtime.createSession();
    let hooked = 0;
    await session.registerHook("run_failed", () => void hooked++);
    const sub = await session.subscribeEvents();
    expect(await session.pollEvents()).toEqual([]);
    const turn = session.turn("[[sim:hang]] hello");
    const seen: AgentEvent[] = [];
    await untilTurnStarted(sub, seen);
    await session.destroy();
    await expect(turn).rejects.toMatchObject({ code: "CANCELLED", message: DESTROYED });

    seen.push(...sub.poll());
    expect(seen.at(-1)).toMatchObject({ type: "run_failed", sessionId: session.id, error: DESTROYED });
    expect(await codeOf(() => sub.poll())).toBe("SESSION_NOT_FOUND");
    expect(sub.isClosed).toBe(false);
    // pollEvents' reader, used before: the whole run, to its end, once.
    const polled = await session.pollEvents();
    expect(polled.map((e) => e.seq)).toEqual(seen.map((e) => e.seq));
    expect(await codeOf(() => session.pollEvents())).toBe("SESSION_NOT_FOUND");
    // A cancelled run runs no hooks, as when the runtime is destroyed.
    expect(hooked).toBe(0);
    sub.close();
  });

  test("a stream in flight yields the run's end, then throws CANCELLED", async () => {
    const session = await runtime.createSession();
    const events = session.stream("[[sim:hang]] hello")[Symbol.asyncIterator]();
    const seen: AgentEvent[] = [];
    while (!seen.some((e) => e.type === "turn_started")) seen.push((await events.next()).value as AgentEvent);
    await session.destroy();
    const code = await codeOf(async () => {
      for (;;) {
        const next = await events.next();
        if (next.done) return;
        seen.push(next.value);
      }
    });
    expect(code).toBe("CANCELLED");
    expect(seen.at(-1)).toMatchObject({ type: "run_failed", error: DESTROYED });
  });

  test("a deferred session's first turn: its subscription reads the run's end, then SESSION_NOT_FOUND", async () => {
    const deferred = await runtime.createDeferredSession();
    const first = deferred.startTurn("[[sim:hang]] first" as Prompt);
    const sub = await deferred.session.subscribeEvents();
    await inFlight("first");
    await deferred.destroy();
    await expect(first).rejects.toMatchObject({ code: "CANCELLED" });
    expect(sub.poll().at(-1)).toMatchObject({ type: "run_failed", error: DESTROYED });
    expect(await codeOf(() => sub.poll())).toBe("SESSION_NOT_FOUND");
  });

  test("mob.retire, then mob.destroy, mid-run: member and mob subscriptions read each run's end, then MOB_NOT_RUNNING", async () => {
    const mob = await leadAndWorker(runtime, researchTeam());
    const worker = await memberTape(mob, "worker-1");
    const lead = await memberTape(mob, "lead-1");
    const whole = await tapeOf(mob);

    await script("hang");
    await mob.member("worker-1").send("Busy forever.");
    await inFlight("Busy forever.");
    await mob.retire("worker-1");
    await worker.until((items) => items.some((e) => e.type === "run_failed"));
    expect(worker.items.at(-1)).toMatchObject({ type: "run_failed", error: "member worker-1 was retired" });

    await script("hang");
    await mob.member("lead-1").send("Lead forever.");
    await inFlight("Lead forever.");
    await mob.destroy();
    // Its last items are here once destroy() resolved (through the Worker too).
    lead.read();
    whole.read();
    expect(lead.items.at(-1)).toMatchObject({ type: "run_failed" });
    expect(String((lead.items.at(-1) as { error?: string }).error)).toMatch(/^mob ".*" was destroyed$/);
    expect(eventsOf(whole.items, "run_failed", "lead-1")).toHaveLength(1);
    expect(eventsOf(whole.items, "run_failed", "worker-1")).toHaveLength(1);
    expect(whole.items.at(-1)?.event).toMatchObject({ type: "mob_status_changed", status: "destroyed" });
    for (const tape of [worker, lead, whole]) expect(await codeOf(() => tape.sub.poll())).toBe("MOB_NOT_RUNNING");
  });
});
