/**
 * A subscription dropped without `close()` (a component unmounted without
 * its clean-up): once collected, its reader in the core is closed, on the
 * main thread and through the Worker. A session holds at most 1,024
 * readers, so a session whose dropped subscriptions kept theirs would
 * refuse the next one for good.
 */
import v8 from "node:v8";
import { expect, test } from "vitest";
import { EventSubscription } from "@rkat/web";
import { until } from "./support/features.js";
import { SIDES } from "./support/mob.js";
import { resetSim } from "./support/runtime.js";

interface Subscribable {
  subscribeEvents(): Promise<EventSubscription>;
}

/** Subscribe until the session refuses (its readers are all taken); keep none of them. */
async function fillAndDrop(session: Subscribable): Promise<number> {
  for (let n = 0; ; n++) {
    try {
      await session.subscribeEvents();
    } catch (error) {
      expect(error).toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/too many event readers/) });
      return n;
    }
  }
}

for (const side of SIDES) {
  test(`${side.name}: subscriptions dropped without close() give their readers back once collected`, async () => {
    await resetSim();
    const { runtime, close } = await side.open();
    try {
      const session = await runtime.createSession();
      const kept = await session.subscribeEvents();
      expect(await fillAndDrop(session)).toBeGreaterThan(1000);
      // Collect the garbage (queryObjects does), then wait for the finalizers.
      v8.queryObjects(EventSubscription, { format: "count" });
      const again = await until(async () => session.subscribeEvents().catch(() => undefined));
      // A subscription still held is never closed behind its back.
      await session.turn("hello");
      expect(kept.poll().map((e) => e.type)).toContain("run_completed");
      expect(again.isClosed).toBe(false);
    } finally {
      await close();
    }
  });
}
