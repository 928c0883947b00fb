/**
 * The edges of a session's event surface, on the main thread and through
 * the Worker: a retry that voids streamed text, an iterator driven by
 * hand (concurrent next()s, return()), subscriptions that fall behind or
 * outlive their Worker.
 */
import { afterEach, describe, expect, test } from "vitest";
import type { AgentEvent, StreamTruncatedEvent } from "@rkat/web";
import { resetSim, script, simRuntime, workerPair } from "./support/runtime.js";

type Side = {
  name: string;
  open: (extra?: Record<string, unknown>) => Promise<{
    session: () => Promise<{
      stream: (p: string) => AsyncIterable<AgentEvent> & { collectText(): Promise<[string, { text: string }]> };
      subscribeEvents: () => Promise<{ poll(): AgentEvent[] }>;
      turn: (p: string) => Promise<unknown>;
    }>;
    close: () => Promise<void>;
  }>;
};

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const done of cleanup) await done();
  cleanup = [];
});

const sides: Side[] = [
  {
    name: "main thread",
    open: async (extra = {}) => {
      const runtime = await simRuntime(extra);
      const close = async () => runtime.destroy();
      cleanup.push(close);
      return { session: async () => runtime.createSession() as never, close };
    },
  },
  {
    name: "Worker",
    open: async (extra = {}) => {
      const { runtime, close } = await workerPair(extra);
      cleanup.push(close);
      return { session: async () => (await runtime.createSession()) as never, close };
    },
  },
];

const fastRetry = { retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 5 } };

for (const side of sides) {
  describe(side.name, () => {
    test("a mid-stream retry voids the streamed text: collectText is the answer", async () => {
      await resetSim();
      const { session } = await side.open(fastRetry);
      await script("midstream=overloaded");
      const [text, result] = await (await session()).stream("hello").collectText();
      expect(text).toBe(result.text);
      expect(text).toBe("You said: hello (1 messages in context)");
    });

    test("the answer elided for the Worker is rebuilt from the deltas after the retry", async () => {
      await resetSim();
      const { session } = await side.open(fastRetry);
      await script("midstream=overloaded");
      const events: AgentEvent[] = [];
      const stream = (await session()).stream("hello again");
      for await (const event of stream) events.push(event);
      const complete = events.find((e) => e.type === "text_complete");
      expect(complete).toMatchObject({ content: "You said: hello again (1 messages in context)" });
      expect(complete).not.toHaveProperty("elided");
    });

    test("next() calls made at once each get their own event, in order", async () => {
      await resetSim();
      const { session } = await side.open();
      const it = (await session()).stream("[[sim:deltas=5,delay=5]]")[Symbol.asyncIterator]();
      const results = await Promise.all([it.next(), it.next(), it.next()]);
      expect(results.map((r) => (r.done ? "done" : r.value.seq))).toEqual([1, 2, 3]);
      // The rest still comes, in order, to the end.
      const rest: AgentEvent[] = [];
      for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value);
      expect(rest[0]!.seq).toBe(4);
      expect(rest.at(-1)!.type).toBe("run_completed");
    });

    test("after return(), next() is done, and a next() waiting at that moment too", async () => {
      await resetSim();
      const { session } = await side.open();
      const s = await session();
      const it = s.stream("[[sim:deltas=20,delay=5]]")[Symbol.asyncIterator]();
      await it.next();
      // Drain what is in hand, then one call that has to wait for the provider.
      let waiting: Promise<IteratorResult<AgentEvent>> | undefined;
      for (;;) {
        const pending = it.next();
        const first = await Promise.race([pending, Promise.resolve("pending" as const)]);
        if (first === "pending") {
          waiting = pending;
          break;
        }
      }
      await it.return!();
      await expect(waiting).resolves.toEqual({ done: true, value: undefined });
      await expect(it.next()).resolves.toEqual({ done: true, value: undefined });
    });

    test("the iterator is an AsyncGenerator: peek one event, then for await over the rest; throw() stops it", async () => {
      await resetSim();
      const { session } = await side.open();
      const s = await session();
      const it = s.stream("[[sim:deltas=5]]")[Symbol.asyncIterator]() as AsyncGenerator<AgentEvent, undefined>;
      const first = await it.next();
      expect(first.done ? undefined : first.value.type).toBe("run_started");
      const rest: AgentEvent[] = [];
      for await (const event of it) rest.push(event);
      expect(rest[0]!.seq).toBe(2);
      expect(rest.at(-1)!.type).toBe("run_completed");
      const other = s.stream("[[sim:deltas=5]]")[Symbol.asyncIterator]() as AsyncGenerator<AgentEvent, undefined>;
      await other.next();
      await expect(other.throw(new Error("stop"))).rejects.toThrow("stop");
      await expect(other.next()).resolves.toEqual({ done: true, value: undefined });
    });

    test("a subscription that fell behind says how many events it lost, by number", async () => {
      await resetSim();
      const { session } = await side.open({ eventQueueCapacity: 10 });
      const s = await session();
      const sub = await s.subscribeEvents();
      await s.turn("[[sim:deltas=60,chunk=100000]]");
      const events = sub.poll();
      const marker = events[0] as StreamTruncatedEvent;
      const lost = events[1]!.seq - 1; // it never got seq 1 to lost
      expect(marker).toMatchObject({ type: "stream_truncated", seq: lost, dropped: lost });
      expect(marker.reason).toBe(
        `${lost} events were dropped because at most 10 unread events are kept; poll more often or raise eventQueueCapacity`,
      );
      expect(events.length).toBeLessThanOrEqual(11);
    });
  });
}

test("through the Worker, a subscription whose Worker went away throws, as every call does", async () => {
  await resetSim();
  const { runtime, channel } = await workerPair();
  const session = await runtime.createSession();
  const sub = await session.subscribeEvents();
  channel.port1.close(); // the Worker's end of the channel goes away
  await expect(session.pollEvents()).rejects.toMatchObject({ code: "RUNTIME_TRAPPED" });
  expect(() => sub.poll()).toThrow(expect.objectContaining({ code: "RUNTIME_TRAPPED" }));
  channel.port2.close();
});
