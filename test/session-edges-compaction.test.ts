/**
 * A compaction stopped while its summary request is out (interrupt), on
 * the main thread and through the Worker: `compaction_started` gets its
 * `compaction_failed`, the history is left as it was, and `compact()`,
 * which is no turn, ends without a `turn_completed` and without the
 * `run_completed` hooks a compaction never runs.
 */
import { afterEach, describe, expect, test } from "vitest";
import type { AgentEvent, HookPoint } from "@rkat/web";
import { resetSim, script, simRuntime, workerPair } from "./support/runtime.js";
import { ofType, requestsWith, until } from "./support/features.js";

interface Side {
  name: string;
  open(config: Record<string, unknown>): Promise<{
    session: {
      turn(prompt: string): Promise<{ text: string }>;
      compact(): Promise<void>;
      interrupt(): Promise<void>;
      history(): Promise<unknown[]>;
      subscribeEvents(): Promise<{ poll(): AgentEvent[] }>;
    };
    hooksCalled: string[];
  }>;
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const done of cleanup) await done();
  cleanup = [];
});

const POINTS: HookPoint[] = ["run_started", "run_completed", "run_failed"];

const sides: Side[] = [
  {
    name: "main thread",
    open: async (config) => {
      const runtime = await simRuntime();
      cleanup.push(async () => runtime.destroy());
      const hooksCalled: string[] = [];
      for (const point of POINTS) runtime.registerHook(point, () => void hooksCalled.push(point));
      return { session: runtime.createSession(config) as never, hooksCalled };
    },
  },
  {
    name: "Worker",
    open: async (config) => {
      const { runtime, close } = await workerPair();
      cleanup.push(close);
      const hooksCalled: string[] = [];
      for (const point of POINTS) await runtime.registerHook(point, () => void hooksCalled.push(point));
      return { session: (await runtime.createSession(config)) as never, hooksCalled };
    },
  },
];

/** Until the summary request reached the simulated provider (which holds it: `hang`). */
async function summaryHeld(): Promise<void> {
  await until(async () => ((await requestsWith("Summarize the conversation")).length > 0 ? true : undefined));
}

/** Read `sub` until an event of `type` arrives; every event read, in order. */
async function readUntil(sub: { poll(): AgentEvent[] }, type: AgentEvent["type"]): Promise<AgentEvent[]> {
  const seen: AgentEvent[] = [];
  await until(() => {
    seen.push(...sub.poll());
    return seen.some((e) => e.type === type) ? true : undefined;
  });
  return seen;
}

for (const side of sides) {
  describe(side.name, () => {
    test("interrupting compact() ends the compaction, not a turn: compaction_failed, no hooks, history intact", async () => {
      await resetSim();
      const { session, hooksCalled } = await side.open({});
      for (const prompt of ["one", "two", "three", "four"]) await session.turn(prompt);
      const before = await session.history();
      const sub = await session.subscribeEvents();
      hooksCalled.length = 0;
      await script("hang");
      const compacting = session.compact();
      await readUntil(sub, "compaction_started");
      await summaryHeld();
      await session.interrupt();
      await expect(compacting).resolves.toBeUndefined();
      const after = sub.poll();
      expect(after.map((e) => e.type)).toEqual(["compaction_failed"]);
      expect(ofType(after, "compaction_failed")[0]!.error).toBe("interrupted");
      expect(hooksCalled).toEqual([]);
      expect(await session.history()).toEqual(before);
      expect((await session.turn("five")).text).toBe("You said: five (9 messages in context)");
    });

    test("interrupting a turn's automatic compaction: compaction_failed, then the turn ends cancelled", async () => {
      await resetSim();
      const { session } = await side.open({ compaction: { thresholdTokens: 1, keepRecentTurns: 1 } });
      await session.turn("one");
      const sub = await session.subscribeEvents();
      await script("hang");
      const turn = session.turn("two");
      const seen = await readUntil(sub, "compaction_started");
      await summaryHeld();
      await session.interrupt();
      expect((await turn).text).toBe("");
      seen.push(...sub.poll());
      const from = seen.findIndex((e) => e.type === "compaction_started");
      // (The run's own hooks run as for any turn.)
      const types = seen.slice(from).map((e) => e.type).filter((type) => !type.startsWith("hook_"));
      expect(types).toEqual([
        "compaction_started",
        "compaction_failed",
        "turn_completed",
        "run_completed",
      ]);
      expect(ofType(seen, "turn_completed")[0]!.stopReason).toBe("cancelled");
    });
  });
}
