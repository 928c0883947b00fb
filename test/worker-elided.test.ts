/**
 * A long answer crosses the Worker bridge once: the Worker's readers are
 * compact (the core's events/log.rs), so `text_complete` and
 * `run_completed` come without the text their deltas already carried, and
 * the page puts it back (src/elided.ts). What the page's code sees
 * is what the main thread sees.
 */
import { describe, expect, test } from "vitest";
import type { AgentEvent } from "@rkat/web";
import { rebuildElided } from "../src/elided.js";
import { batchesPostedDuring } from "./support/batches.js";
import { ofType, until } from "./support/features.js";
import { closedAfterEachTest, resetSim, simRuntime, workerPair } from "./support/runtime.js";

const PROMPT = "[[sim:deltas=3000,chunk=700]]";

/** The events of the batches the Worker posts while `run` runs. */
const postedDuring = async (run: () => Promise<void>) => (await batchesPostedDuring(run)).flatMap((batch) => batch.events);

/** Events without what differs between two runs (ids), for comparison. */
const comparable = (events: AgentEvent[]) =>
  events.map((e) => ({ ...e, sessionId: undefined, durationMs: undefined }) as Record<string, unknown>);

describe("over the bridge, the answer's text crosses once", () => {
  const closing = closedAfterEachTest();

  test("stream(): the Worker posts text_complete and run_completed elided; the page sees them whole, as the main thread does", async () => {
    await resetSim();
    const pair = await workerPair();
    closing(pair.close);
    const events: AgentEvent[] = [];
    let text = "";
    const posted = await postedDuring(async () => {
      const stream = (await pair.runtime.createSession()).stream(PROMPT);
      for await (const event of stream) events.push(event);
      text = stream.result.text;
    });
    expect(text.length).toBeGreaterThan(3000);
    // On the wire: the text once, in the deltas.
    const wire = posted.filter((e) => e.type === "text_complete" || e.type === "run_completed");
    expect(wire).toHaveLength(2);
    for (const e of wire) expect(e).toMatchObject({ elided: true, [e.type === "text_complete" ? "content" : "result"]: "" });
    // On the page: whole, and nothing of the wire's mark.
    expect(ofType(events, "text_complete")[0]!.content).toBe(text);
    expect(ofType(events, "run_completed")[0]!.result).toBe(text);
    expect(events.some((e) => "elided" in e)).toBe(false);
    // The main thread's events of the same turn.
    await resetSim();
    const runtime = await simRuntime();
    const local: AgentEvent[] = [];
    for await (const event of runtime.createSession().stream(PROMPT)) local.push(event);
    runtime.destroy();
    expect(comparable(events)).toEqual(comparable(local));
  });

  test("subscribeEvents(): a subscription's reader is compact too; pollEvents() is not", async () => {
    await resetSim();
    const pair = await workerPair();
    closing(pair.close);
    const session = await pair.runtime.createSession();
    const subscription = await session.subscribeEvents();
    const seen: AgentEvent[] = [];
    const posted = await postedDuring(async () => {
      const result = await session.turn(PROMPT);
      await until(() => {
        seen.push(...subscription.poll());
        return seen.some((e) => e.type === "run_completed") ? true : undefined;
      });
      expect(ofType(seen, "text_complete")[0]!.content).toBe(result.text);
      expect(ofType(seen, "run_completed")[0]!.result).toBe(result.text);
    });
    expect(posted.filter((e) => e.elided === true)).toHaveLength(2);
    const polled = await session.pollEvents();
    expect(ofType(polled, "run_completed")[0]!.result.length).toBeGreaterThan(3000);
    subscription.close();
  });
});

describe("rebuildElided", () => {
  test("joins the deltas since the last turn_started, across batches", () => {
    const rebuild = rebuildElided();
    const batch = (events: object[]) => rebuild(events as AgentEvent[]);
    batch([{ type: "turn_started", seq: 1, turnNumber: 1 }, { type: "text_delta", seq: 2, delta: "Hé" }]);
    const [, complete, done] = batch([
      { type: "text_delta", seq: 3, delta: "llo ☀️" },
      { type: "text_complete", seq: 4, content: "", elided: true },
      { type: "run_completed", seq: 5, sessionId: "s", result: "", elided: true, usage: {} },
    ]);
    expect(complete).toEqual({ type: "text_complete", seq: 4, content: "Héllo ☀️" });
    expect(done).toMatchObject({ type: "run_completed", result: "Héllo ☀️" });
    expect("elided" in done!).toBe(false);
    // A new turn starts from nothing; an event not elided is left alone.
    const [, , whole] = batch([
      { type: "turn_started", seq: 6, turnNumber: 2 },
      { type: "text_delta", seq: 7, delta: "x" },
      { type: "text_complete", seq: 8, content: "rewritten by a hook" },
    ]);
    expect(whole).toMatchObject({ content: "rewritten by a hook" });
  });
});
