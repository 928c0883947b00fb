/**
 * A session's readers when a run ends, on the main thread and through the
 * Worker: once a `stream()` has been read to its end (as once `turn()`
 * resolved), or once `interrupt()` resolved, the session's subscriptions
 * hold every event of the run.
 */
import { describe, expect, test } from "vitest";
import type { AgentEvent } from "@rkat/web";
import { resetSim, sessionSides } from "./support/runtime.js";
import { until } from "./support/features.js";

interface SessionLike {
  stream(prompt: string): AsyncIterable<AgentEvent>;
  turn(prompt: string): Promise<unknown>;
  interrupt(): Promise<void>;
  subscribeEvents(): Promise<{ poll(): AgentEvent[] }>;
}

const sides = sessionSides<SessionLike>();

for (const side of sides) {
  describe(side.name, () => {
    test("after a stream's last event, a subscription holds the whole run, as after turn()", async () => {
      await resetSim();
      const session = await side.session();
      const sub = await session.subscribeEvents();
      const streamed: AgentEvent[] = [];
      for await (const event of session.stream("[[sim:deltas=20]]")) streamed.push(event);
      expect(sub.poll()).toEqual(streamed);

      await session.turn("[[sim:deltas=20]]");
      const turned = sub.poll();
      expect(turned.at(-1)?.type).toBe("run_completed");
      expect(turned).toHaveLength(streamed.length);
    });

    test("once interrupt() resolved, a subscription holds the run's end, however busy its reader was", async () => {
      await resetSim();
      const session = await side.session();
      const sub = await session.subscribeEvents();
      // Through the Worker, the run's end may find a batch of the subscription
      // still on its way to the page: a race, so a few runs are interrupted.
      for (let round = 0; round < 20; round++) {
        const turn = session.turn("[[sim:deltas=20000,chunk=64]]");
        await until(() => (sub.poll().some((e) => e.type === "text_delta") ? true : undefined));
        await session.interrupt();
        expect(sub.poll().at(-1)?.type, `round ${round}`).toBe("run_completed");
        await turn;
      }
    });
  });
}
