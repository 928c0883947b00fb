/**
 * Order across the Worker bridge, held to the main thread's: once a call
 * that ran something has settled, every reader of the session has its
 * events; calls made in one tick for many sessions keep each session's
 * events its own; readers opened, closed and reopened mid-run neither
 * lose nor repeat events.
 */
import { expect, test } from "vitest";
import type { AgentEvent, EventSubscription } from "@rkat/web";
import { gate, until, weatherSchema } from "./support/features.js";
import { SIDES } from "./support/mob.js";
import { resetSim } from "./support/runtime.js";

/** Event types with their seq, for comparing readers. */
const seqs = (events: AgentEvent[]) => events.map((e) => e.seq);
const isRun = (events: AgentEvent[]) => events[0]?.type === "run_started" && events.at(-1)?.type === "run_completed";

for (const side of SIDES) {
  test(`${side.name}: once a stream has been read to its end, a subscription of its session holds the whole run`, async () => {
    await resetSim();
    const { runtime, close } = await side.open();
    const session = await runtime.createSession();
    const sub = await session.subscribeEvents();
    for (let i = 0; i < 3; i++) {
      const streamed: AgentEvent[] = [];
      for await (const event of session.stream(`part ${i} [[sim:deltas=300,chunk=64]]`)) streamed.push(event);
      const polled = sub.poll();
      expect(isRun(polled), `run ${i}: ${polled.at(-1)?.type}`).toBe(true);
      expect(seqs(polled)).toEqual(seqs(streamed));
    }
    sub.close();
    await close();
  });

  test(`${side.name}: turns of twenty sessions started in one tick each end with all of their own events readable`, async () => {
    await resetSim();
    const { runtime, close } = await side.open();
    const sessions = await Promise.all(Array.from({ length: 20 }, () => runtime.createSession()));
    const subs: EventSubscription[] = await Promise.all(sessions.map((s) => s.subscribeEvents()));
    const results = await Promise.all(sessions.map((s, i) => s.turn(`session ${i} [[sim:chunk=32]]`)));
    for (const [i, session] of sessions.entries()) {
      const polled = await session.pollEvents();
      const subscribed = subs[i]!.poll();
      expect(isRun(polled)).toBe(true);
      expect(subscribed).toEqual(polled);
      expect(seqs(polled)).toEqual(polled.map((_, n) => n + 1));
      const completed = polled.at(-1) as Extract<AgentEvent, { type: "run_completed" }>;
      expect(completed.result).toBe(results[i]!.text);
      expect(results[i]!.text).toContain(`session ${i}`);
    }
    await close();
  });

  test(`${side.name}: a stream and pollEvents on one session each read every event of the run`, async () => {
    await resetSim();
    const { runtime, close } = await side.open();
    const session = await runtime.createSession();
    const streamed: AgentEvent[] = [];
    const polled: AgentEvent[] = [];
    for await (const event of session.stream("both readers [[sim:deltas=500,chunk=40]]")) {
      streamed.push(event);
      if (streamed.length % 100 === 0) polled.push(...(await session.pollEvents()));
    }
    polled.push(...(await session.pollEvents()));
    expect(polled).toEqual(streamed);
    expect(isRun(streamed)).toBe(true);
    await close();
  });

  test(`${side.name}: a subscription closed mid-run and another opened: the new one reads on from there, to the run's end`, async () => {
    await resetSim();
    const { runtime, close } = await side.open();
    // The run waits in a tool until the second subscription is open.
    const release = gate();
    await runtime.registerTool("get_weather", "Weather for a city", weatherSchema, async () => {
      await release.promise;
      return "sunny";
    });
    const session = await runtime.createSession();
    const first = await session.subscribeEvents();
    const turn = session.turn("What is the weather in Oslo?");
    const before: AgentEvent[] = [];
    await until(() => (before.push(...first.poll()), before.some((e) => e.type === "tool_execution_started") || undefined));
    first.close();
    expect(() => first.poll()).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    const second = await session.subscribeEvents();
    release.resolve();
    const result = await turn;
    const after = second.poll();
    expect(after.at(-1)).toMatchObject({ type: "run_completed", result: result.text });
    // From where it opened, without a gap: seq after seq.
    expect(seqs(after)).toEqual(after.map((_, n) => after[0]!.seq + n));
    expect(after[0]!.seq).toBeGreaterThan(before.at(-1)!.seq);
    second.close();
    await close();
  });

  test(`${side.name}: a stream left early (break) leaves the run going; its result is readable once the run ends`, async () => {
    await resetSim();
    const { runtime, close } = await side.open();
    const session = await runtime.createSession();
    const sub = await session.subscribeEvents();
    const stream = session.stream("left early [[sim:deltas=600,chunk=24]]");
    for await (const event of stream) if (event.type === "text_delta") break;
    const seen = await until(() => {
      const events = sub.poll();
      return events.length > 0 ? events : undefined;
    });
    const all = [...seen];
    await until(() => (all.push(...sub.poll()), all.at(-1)?.type === "run_completed" ? true : undefined));
    const result = await until(() => {
      try {
        return stream.result;
      } catch {
        return undefined; // not ended yet here (the Worker's answer crosses after the events)
      }
    });
    expect(result.text).toBe((all.at(-1) as Extract<AgentEvent, { type: "run_completed" }>).result);
    expect((await session.turn("next one")).text).toContain("next one");
    await close();
  });
}
