/**
 * The session and runtime API around runs: event sequence numbers and
 * independent readers (pollEvents, stream, subscriptions) with per-reader
 * truncation, listSessions, deferred sessions, archive, appendSystemContext
 * and capabilities; real core, simulated provider.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  CapabilityUnavailableError,
  DeferredSession,
  EventSubscription,
  MeerkatError,
  Session,
  type AgentEvent,
  type MeerkatRuntime,
} from "@rkat/web";
import { resetSim, shape, simRequests, simRuntime } from "./support/runtime.js";
import { errorOf, gate, ofType, requestsWith, systemOf, thrownBy } from "./support/features.js";

let runtime: MeerkatRuntime;

beforeEach(async () => {
  await resetSim();
  runtime = await simRuntime();
});
afterEach(() => runtime.destroy());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const seqs = (events: AgentEvent[]) => events.map((e) => e.seq);
const consecutive = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe("event sequence numbers and readers", () => {
  test("seq increases across the runs of a session and starts again in a new one", async () => {
    const session = runtime.createSession();
    await session.turn("one");
    await session.turn("two");
    const events = session.pollEvents();
    expect(seqs(events)).toEqual(consecutive(1, events.length));
    const runStarts = events.filter((e) => e.type === "run_started");
    expect(runStarts).toHaveLength(2);
    expect(runStarts[1]!.seq).toBe(events.findIndex((e) => e === runStarts[1]) + 1);
    await session.turn("three");
    const more = session.pollEvents();
    expect(more[0]!.seq).toBe(events.length + 1);

    const other = runtime.createSession();
    await other.turn("fresh");
    expect(other.pollEvents()[0]).toMatchObject({ type: "run_started", seq: 1 });
  });

  test("pollEvents, a stream and two subscriptions each read every event", async () => {
    const session = runtime.createSession();
    const a = await session.subscribeEvents();
    const b = await session.subscribeEvents();
    expect(a).toBeInstanceOf(EventSubscription);
    expect(a.isClosed).toBe(false);

    const streamed: AgentEvent[] = [];
    for await (const event of session.stream("everyone sees this [[sim:chunk=8]]")) streamed.push(event);

    const polled = session.pollEvents();
    const fromA = a.poll();
    expect(shape(polled)).toEqual(["run_started", "turn_started", "text_delta*", "text_complete", "turn_completed", "run_completed"]);
    expect(streamed).toEqual(polled);
    expect(fromA).toEqual(polled);
    // A's read took nothing from B.
    expect(b.poll()).toEqual(polled);
    expect(a.poll()).toEqual([]);
    expect(b.poll()).toEqual([]);
    expect(session.pollEvents()).toEqual([]);

    // Reading a subscription in the middle of a run takes nothing from pollEvents.
    const inTool = gate<AgentEvent[]>();
    runtime.registerTool("clock", "Current time", { type: "object" }, () => {
      inTool.resolve(a.poll());
      return "noon";
    });
    await session.turn("what does the clock say");
    const midRun = await inTool.promise;
    expect(midRun.map((e) => e.type)).toContain("tool_call_requested");
    const all = session.pollEvents();
    expect(all.slice(0, midRun.length)).toEqual(midRun);
    expect(a.poll()).toEqual(all.slice(midRun.length));
    expect(b.poll()).toEqual(all);
  });

  test("a subscription sees only what comes after it; close() stops it", async () => {
    const session = runtime.createSession();
    await session.turn("before the subscription");
    const before = session.pollEvents();
    const sub = await session.subscribeEvents();
    expect(sub.poll()).toEqual([]);
    await session.turn("after the subscription");
    const seen = sub.poll();
    expect(seen[0]).toMatchObject({ type: "run_started", seq: before.length + 1, prompt: "after the subscription" });
    expect(seen.at(-1)?.type).toBe("run_completed");
    sub.close();
    sub.close(); // idempotent
    expect(sub.isClosed).toBe(true);
    const error = thrownBy(() => sub.poll());
    expect(error).toBeInstanceOf(MeerkatError);
    // The other readers are unaffected.
    expect(session.pollEvents()).toEqual(seen);
  });

  test("a reader that falls behind eventQueueCapacity gets one stream_truncated of its own", async () => {
    const small = await simRuntime({ eventQueueCapacity: 20 });
    try {
      const session = small.createSession();
      const lagging = await session.subscribeEvents();

      await session.turn("[[sim:deltas=60]]");
      const firstPoll = session.pollEvents();
      const truncated = ofType(firstPoll, "stream_truncated");
      expect(truncated).toHaveLength(1);
      expect(firstPoll[0]!.type).toBe("stream_truncated");
      expect(firstPoll.length).toBe(21);
      expect(firstPoll.at(-1)?.type).toBe("run_completed");
      const lastSeq = firstPoll.at(-1)!.seq;
      expect(seqs(firstPoll.slice(1))).toEqual(consecutive(lastSeq - 19, 20));
      expect(truncated[0]!.seq).toBeLessThan(firstPoll[1]!.seq);
      expect(truncated[0]!.reason).toMatch(/eventQueueCapacity/);

      // pollEvents has caught up: a short run reaches it whole, without a gap.
      await session.turn("short");
      const caughtUp = session.pollEvents();
      expect(ofType(caughtUp, "stream_truncated")).toEqual([]);
      expect(caughtUp[0]).toMatchObject({ type: "run_started", seq: lastSeq + 1 });
      expect(caughtUp.length).toBeLessThan(20);

      // The subscription never read: it gets its own single marker, then the newest 20.
      const behind = lagging.poll();
      expect(ofType(behind, "stream_truncated")).toHaveLength(1);
      expect(behind[0]!.type).toBe("stream_truncated");
      expect(behind.length).toBe(21);
      expect(behind.at(-1)).toEqual(caughtUp.at(-1));
      expect(lagging.poll()).toEqual([]);
    } finally {
      small.destroy();
    }
  });
});

describe("listSessions", () => {
  test("SessionInfo of each live session", async () => {
    expect(runtime.listSessions()).toEqual([]);
    const session = runtime.createSession();
    const [fresh] = runtime.listSessions();
    expect(fresh).toEqual({
      sessionId: session.id,
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
      messageCount: 0,
      totalTokens: 0,
      isActive: false,
    });
    expect(Date.parse(fresh!.createdAt)).not.toBeNaN();

    const result = await session.turn("count me");
    const [after] = runtime.listSessions();
    expect(after).toMatchObject({
      sessionId: session.id,
      createdAt: fresh!.createdAt,
      messageCount: 2,
      totalTokens: result.usage.inputTokens + result.usage.outputTokens,
      isActive: false,
    });
    expect(Date.parse(after!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(after!.createdAt));

    const other = runtime.createSession();
    expect(runtime.listSessions().map((s) => s.sessionId).sort()).toEqual([session.id, other.id].sort());
    other.destroy();
    expect(runtime.listSessions().map((s) => s.sessionId)).toEqual([session.id]);
  });

  test("isActive while a run is in flight", async () => {
    let during: boolean | undefined;
    runtime.registerTool("clock", "Current time", { type: "object" }, () => {
      during = runtime.listSessions()[0]!.isActive;
      return "noon";
    });
    const session = runtime.createSession();
    await session.turn("what does the clock say");
    expect(during).toBe(true);
    expect(runtime.listSessions()[0]!.isActive).toBe(false);
  });
});

describe("deferred sessions", () => {
  test("the id is reserved and listed now; the first turn runs on startTurn", async () => {
    const deferred = runtime.createDeferredSession({ systemPrompt: "You are a pirate." });
    expect(deferred).toBeInstanceOf(DeferredSession);
    expect(deferred.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(deferred.isStarted).toBe(false);
    expect(runtime.listSessions().map((s) => s.sessionId)).toEqual([deferred.id]);
    expect(thrownBy(() => deferred.session).code).toBe("INVALID_ARGUMENT");
    expect(await simRequests()).toHaveLength(0);

    const result = await deferred.startTurn("hello deferred");
    expect(result.text).toBe("Arr! You said: hello deferred (1 messages in context)");
    expect(result.sessionId).toBe(deferred.id);
    expect(deferred.isStarted).toBe(true);
    const session = deferred.session;
    expect(session).toBeInstanceOf(Session);
    expect(session.id).toBe(deferred.id);
    expect(session.lastResult).toEqual(result);
    expect((await session.turn("and again")).text).toBe("Arr! You said: and again (3 messages in context)");

    const again = await errorOf(deferred.startTurn("twice"));
    expect(again.code).toBe("INVALID_ARGUMENT");
    expect(await session.history()).toHaveLength(4);
  });

  test("a bad first prompt leaves it unstarted", async () => {
    const deferred = runtime.createDeferredSession();
    const error = await errorOf(deferred.startTurn(42 as never));
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(deferred.isStarted).toBe(false);
    expect(await simRequests()).toHaveLength(0);
    expect((await deferred.startTurn("now properly")).text).toBe("You said: now properly (1 messages in context)");
  });

  test("its config is checked at once", () => {
    const error = thrownBy(() => runtime.createDeferredSession({ model: "llama-3" }));
    expect(error.code).toBe("UNSUPPORTED_MODEL");
    expect(runtime.listSessions()).toEqual([]);
  });
});

describe("archive", () => {
  test("history is kept, new turns fail with SESSION_ARCHIVED", async () => {
    const session = runtime.createSession();
    await session.turn("keep this");
    const history = await session.history();
    session.pollEvents();
    await session.archive();
    const before = (await simRequests()).length;
    const error = await errorOf(session.turn("no more"));
    expect(error.code).toBe("SESSION_ARCHIVED");
    expect(() => session.stream("nor this")).toThrow(expect.objectContaining({ code: "SESSION_ARCHIVED" }));
    expect(() => session.appendSystemContext("nor this")).toThrow(expect.objectContaining({ code: "SESSION_ARCHIVED" }));
    expect((await simRequests()).length).toBe(before);
    expect(await session.history()).toEqual(history);
    expect(session.pollEvents()).toEqual([]);
    expect(session.lastResult.text).toBe("You said: keep this (1 messages in context)");
    // Other sessions are unaffected.
    expect((await runtime.createSession().turn("elsewhere")).text).toContain("elsewhere");
  });
});

describe("appendSystemContext", () => {
  test("appears in the system prompt from the next request on", async () => {
    const session = runtime.createSession({ systemPrompt: "Be brief." });
    await session.turn("first marker-asc1");
    expect(systemOf((await requestsWith("marker-asc1"))[0]!.body)).toBe("Be brief.");
    session.appendSystemContext("You are a pirate.");
    const second = await session.turn("second marker-asc2");
    expect(second.text.startsWith("Arr! ")).toBe(true);
    const system = systemOf((await requestsWith("marker-asc2"))[0]!.body);
    expect(system).toContain("Be brief.");
    expect(system).toContain("You are a pirate.");
    session.appendSystemContext("Mention the tide.");
    await session.turn("third marker-asc3");
    const third = systemOf((await requestsWith("marker-asc3"))[0]!.body);
    expect(third).toContain("You are a pirate.");
    expect(third).toContain("Mention the tide.");
    // Only this session.
    await runtime.createSession().turn("elsewhere marker-asc4");
    expect(systemOf((await requestsWith("marker-asc4"))[0]!.body)).not.toContain("pirate");
  });

  test("added during a run, it reaches the run's next request", async () => {
    const session = runtime.createSession();
    runtime.registerTool("clock", "Current time", { type: "object" }, () => {
      session.appendSystemContext("You are a pirate.");
      return "noon";
    });
    const result = await session.turn("what does the clock say marker-asc5");
    const sent = await requestsWith("marker-asc5");
    expect(sent).toHaveLength(2);
    expect(systemOf(sent[0]!.body)).not.toContain("pirate");
    expect(systemOf(sent[1]!.body)).toContain("You are a pirate.");
    expect(result.text).toBe("Arr! clock returned: noon.");
  });
});

describe("capabilities", () => {
  test("the list and requireCapability", () => {
    const caps = runtime.capabilities;
    for (const cap of caps) {
      expect(typeof cap.id).toBe("string");
      expect(cap.description.length).toBeGreaterThan(0);
      expect(["Available", "NotCompiled"]).toContain(cap.status);
    }
    const status = Object.fromEntries(caps.map((c) => [c.id, c.status]));
    for (const id of ["sessions", "streaming", "tools", "hooks", "skills", "compaction", "budgets"]) {
      expect(status[id], id).toBe("Available");
      expect(() => runtime.requireCapability(id)).not.toThrow();
    }
    for (const id of ["shell", "filesystem", "mcp_stdio", "process_spawn"]) {
      expect(status[id], id).toBe("NotCompiled");
      const error = thrownBy(() => runtime.requireCapability(id));
      expect(error).toBeInstanceOf(CapabilityUnavailableError);
      expect(error.code).toBe("CAPABILITY_UNAVAILABLE");
      expect(error.capabilityHint).toEqual({ capability_id: id, message: error.message });
    }
    const unknown = thrownBy(() => runtime.requireCapability("teleport"));
    expect(unknown).toBeInstanceOf(CapabilityUnavailableError);
    expect(unknown.capabilityHint?.capability_id).toBe("teleport");
  });
});
