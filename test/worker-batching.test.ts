/**
 * How events cross the Worker bridge: as few messages as the page's pace
 * allows, each a batch's UTF-8 bytes transferred (not cloned). The
 * outbox alone (pace, slices of a Worker that never yields, the reader's
 * last events), then the real bridge over a MessageChannel: large
 * batches, many subscriptions, a page that stops taking batches, a
 * Worker that dies mid-stream.
 */
import { describe, expect, test } from "vitest";
import type { AgentEvent } from "@rkat/web";
import { BatchOutbox } from "../src/worker/outbox.js";
import { batchesPostedDuring } from "./support/batches.js";
import { ofType, until } from "./support/features.js";
import { gatedPair } from "./support/gated.js";
import { closedAfterEachTest, resetSim, workerPair } from "./support/runtime.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A reply carrying a finished run's session state (a turn's or a stream's). */
const hasResult = (message: { rkat?: string; value?: unknown }) =>
  message.rkat === "reply" && typeof (message.value as { lastResult?: unknown } | null)?.lastResult === "object";

/** A reader over numbered events, and an outbox whose page answers when told to. */
function outboxOver() {
  let next = 1;
  let unread: number[] = [];
  const source = {
    reads: 0,
    add(count = 1) {
      for (let i = 0; i < count; i++) unread.push(next++);
    },
  };
  const sent: number[][] = [];
  const answers: Array<() => void> = [];
  const read = () => {
    source.reads++;
    if (unread.length === 0) return undefined;
    const bytes = encoder.encode(JSON.stringify(unread));
    unread = [];
    return bytes;
  };
  const outbox = new BatchOutbox(read, async (bytes) => {
    sent.push(JSON.parse(decoder.decode(bytes)) as number[]);
    await new Promise<void>((resolve) => answers.push(resolve));
  });
  const answer = () => answers.shift()?.();
  return { source, sent, answer, outbox, inFlight: () => answers.length };
}

describe("the outbox", () => {
  test("a batch goes when the page has taken the previous one; meanwhile events stay in the reader", async () => {
    const { source, sent, answer, outbox } = outboxOver();
    source.add();
    outbox.news(); // nothing in flight: at once
    expect(sent).toEqual([[1]]);
    await nextTurn(); // the Worker was back in its event loop: the page had its chance to answer
    for (let i = 0; i < 3; i++) {
      source.add(2);
      outbox.news();
      await nextTurn();
    }
    expect(sent).toEqual([[1]]);
    expect(source.reads).toBe(1); // the waiting events were not even read
    answer(); // the page took the first batch: the rest goes as one
    await until(() => (sent.length === 2 ? true : undefined));
    expect(sent[1]).toEqual([2, 3, 4, 5, 6, 7]);
  });

  test("a Worker that never returns to its event loop still sends a batch every slice", () => {
    const { source, sent, inFlight, outbox } = outboxOver();
    // Network reads handled within one task: the page's answer cannot be seen meanwhile.
    while (sent.length < 3) {
      source.add();
      outbox.news();
    }
    expect(inFlight()).toBe(3); // not one answered, yet the page had work all along
    const all = sent.flat();
    expect(all).toEqual(all.map((_, i) => i + 1)); // every event once, in order
  });

  test("a Worker back in its event loop once, then kept from it, sends again after a slice", async () => {
    const { source, sent, inFlight, outbox } = outboxOver();
    source.add();
    outbox.news();
    await nextTurn(); // back in the event loop once: no answer yet, so it waits...
    source.add();
    outbox.news();
    expect(sent).toHaveLength(1);
    while (sent.length < 2) {
      // ...until it has been kept from the event loop for a slice: it cannot see the answer now.
      source.add();
      outbox.news();
    }
    expect(inFlight()).toBe(2);
    expect(sent.flat()).toEqual(sent.flat().map((_, i) => i + 1));
  });

  test("drained() sends what the reader holds, news or not, and waits until the page took it", async () => {
    const { source, sent, answer, outbox } = outboxOver();
    source.add();
    outbox.news();
    await nextTurn();
    source.add(3); // not announced
    let done = false;
    const drained = outbox.drained().then(() => (done = true));
    expect(sent).toEqual([[1], [2, 3, 4]]);
    answer();
    await nextTurn();
    expect(done).toBe(false);
    answer();
    await drained;
    expect(done).toBe(true);
  });

  test("last() sends at once, whatever the page's pace: the reader is about to close", async () => {
    const { source, sent, outbox } = outboxOver();
    source.add();
    outbox.news();
    await nextTurn();
    source.add(2);
    outbox.news();
    expect(sent).toEqual([[1]]);
    outbox.last();
    expect(sent).toEqual([[1], [2, 3]]);
  });
});

describe("over the bridge", () => {
  const closing = closedAfterEachTest();

  test("a large stream arrives whole and in order, in a few batches whose bytes are transferred", async () => {
    await resetSim();
    const pair = await workerPair();
    closing(pair.close);
    const events: AgentEvent[] = [];
    let text = "";
    const batches = await batchesPostedDuring(async () => {
      const session = await pair.runtime.createSession();
      const stream = session.stream("[[sim:deltas=10000,chunk=4096]]");
      for await (const event of stream) events.push(event);
      text = stream.result.text;
    });
    const deltas = ofType(events, "text_delta");
    expect(deltas.length).toBe(10000);
    expect(deltas.map((e) => e.delta).join("")).toBe(text);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.length).toBeLessThan(events.length / 20);
    expect(batches.every((batch) => batch.transferred && batch.detached)).toBe(true);
  });

  test("many subscriptions of one session each get every event, in order", async () => {
    await resetSim();
    const pair = await workerPair();
    closing(pair.close);
    const session = await pair.runtime.createSession();
    const subs = await Promise.all(Array.from({ length: 40 }, () => session.subscribeEvents()));
    const seen = subs.map(() => [] as AgentEvent[]);
    const [text] = await session.stream("[[sim:deltas=3000,chunk=256]]").collectText();
    await until(() => {
      subs.forEach((sub, i) => seen[i]!.push(...sub.poll()));
      return seen.every((events) => events.at(-1)?.type === "run_completed") ? true : undefined;
    });
    const polled = await session.pollEvents();
    for (const events of seen) expect(events).toEqual(polled);
    expect(ofType(polled, "text_delta").map((e) => e.delta).join("")).toBe(text);
  });

  test("a page that stops taking batches gets the rest in one batch when it comes back", async () => {
    await resetSim();
    const pair = await gatedPair();
    closing(pair.close);
    const session = await pair.runtime.createSession();
    pair.hold();
    const stream = session.stream("[[sim:deltas=2000,chunk=64]]");
    // The run ends in the Worker while the page takes nothing: its reply is posted.
    await until(() => (pair.posted.some(hasResult) ? true : undefined));
    const whileAway = pair.postedBatches();
    pair.release();
    const events: AgentEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(ofType(events, "text_delta")).toHaveLength(2000);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    // Thousands of network reads while the page was away: the first batch,
    // the rest read when the run ended, and (only while the Worker was kept
    // from its event loop) slices.
    expect(whileAway).toBeGreaterThanOrEqual(2);
    expect(whileAway).toBeLessThan(events.length / 20);
    expect(pair.batches.length).toBe(whileAway);
  });

  test("a subscription whose page stops taking batches falls behind eventQueueCapacity and gets its stream_truncated", async () => {
    await resetSim();
    const pair = await gatedPair({ eventQueueCapacity: 20 });
    closing(pair.close);
    const session = await pair.runtime.createSession();
    const sub = await session.subscribeEvents();
    pair.hold();
    const turn = session.turn("[[sim:deltas=60,chunk=16]]");
    await until(() => (pair.posted.some(hasResult) ? true : undefined));
    pair.release();
    const result = await turn;
    const got: AgentEvent[] = [];
    await until(() => {
      got.push(...sub.poll());
      return got.at(-1)?.type === "run_completed" ? true : undefined;
    });
    expect(ofType(got, "stream_truncated")).toHaveLength(1);
    // What went before the page stopped, the marker where the gap is, then every event from the newest kept on.
    const after = got.slice(got.findIndex((e) => e.type === "stream_truncated") + 1);
    expect(after.length).toBeGreaterThanOrEqual(20);
    expect(after.map((e) => e.seq)).toEqual(after.map((_, i) => after[0]!.seq + i));
    expect(ofType(got, "run_completed")[0]!.result).toBe(result.text);
    const seqs = got.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  test("a Worker that dies mid-stream ends the iteration with RUNTIME_TRAPPED", async () => {
    await resetSim();
    const pair = await workerPair();
    closing(pair.close);
    const session = await pair.runtime.createSession();
    const iterator = session.stream("wait [[sim:hang]]")[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: "run_started" });
    pair.channel.port2.dispatchEvent(new Event("error"));
    const rest = (async () => {
      while (!(await iterator.next()).done);
    })();
    await expect(rest).rejects.toMatchObject({ code: "RUNTIME_TRAPPED" });
  });
});
