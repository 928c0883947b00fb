/**
 * Subscriptions of a destroyed mob: they read what they had left (up to
 * the mob's `destroyed`), then end with a clear error, and never
 * read (or close) the subscriptions of a new mob created with the same id,
 * on both sides of the Worker bridge.
 */
import { describe, expect, test } from "vitest";
import { leadAndWorker, researchTeam, runtimePerTest, SIDES, type AnyRuntime } from "./support/mob.js";

describe.each(SIDES)("subscriptions of a destroyed mob ($name)", (side) => {
  let runtime: AnyRuntime;
  runtimePerTest(side, (opened) => (runtime = opened));

  test("poll says the mob was destroyed (MOB_NOT_RUNNING), not that the subscription was never opened", async () => {
    const mob = await leadAndWorker(runtime, researchTeam());
    const sub = await mob.subscribeEvents();
    const member = await mob.subscribeMemberEvents("worker-1");
    await mob.destroy();
    // The mob's subscription had the mob's end left to read; the idle member's, nothing.
    expect(sub.poll().at(-1)?.event).toEqual(expect.objectContaining({ type: "mob_status_changed", status: "destroyed" }));
    for (const reader of [sub, member]) {
      expect(() => reader.poll()).toThrow(expect.objectContaining({ code: "MOB_NOT_RUNNING", message: expect.stringContaining("destroyed") }));
    }
  });

  test("a subscription of the destroyed mob neither reads nor closes one of the new mob with its id", async () => {
    const old = await leadAndWorker(runtime, researchTeam());
    const oldSub = await old.subscribeEvents();
    await old.destroy();
    expect(oldSub.poll().at(-1)?.event.type).toBe("mob_status_changed");
    const mob = await leadAndWorker(runtime, researchTeam());
    const sub = await mob.subscribeEvents();
    const worker = mob.member("worker-1");
    await worker.waitForRun((await worker.send("Hello.")).runId);

    // The id names a running mob again: the error says what may have ended it.
    expect(() => oldSub.poll()).toThrow(expect.objectContaining({ message: expect.stringContaining("destroy") }));
    oldSub.close();
    const items = sub.poll();
    expect(items.map((i) => i.event.type)).toContain("run_completed");
  });
});
