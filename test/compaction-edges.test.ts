/**
 * Compaction at its edges: a summary that comes back empty, compact()
 * while a turn is in flight, on a destroyed session, and failures through
 * the Worker bridge; each leaves the history as it was.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { MeerkatRuntime } from "@rkat/web";
import { resetSim, script, simRuntime, workerPair } from "./support/runtime.js";
import { errorOf, gate, ofType } from "./support/features.js";

let runtime: MeerkatRuntime;

beforeEach(async () => {
  await resetSim();
  runtime = await simRuntime();
});
afterEach(() => runtime.destroy());

describe("a summary that comes back empty", () => {
  test("automatic: compaction_failed says so, the history is intact and the run goes on", async () => {
    const session = runtime.createSession({ compaction: { thresholdTokens: 1, keepRecentTurns: 1 } });
    await session.turn("My name is Ada.");
    const before = await session.history();
    session.pollEvents();
    await script("deltas=0");
    const result = await session.turn("What is my name?");
    expect(result.text).toBe("Your name is Ada.");
    const failed = ofType(session.pollEvents(), "compaction_failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error).toMatch(/empty/);
    const history = await session.history();
    expect(history.slice(0, before.length)).toEqual(before);
  });

  test("on demand: compact() rejects and changes nothing", async () => {
    const session = runtime.createSession({ compaction: { keepRecentTurns: 1 } });
    await session.turn("one");
    await session.turn("two");
    const before = await session.history();
    await script("deltas=0");
    const error = await errorOf(session.compact());
    expect(error.code).toBe("PROVIDER_ERROR");
    expect(error.message).toMatch(/empty/);
    expect(await session.history()).toEqual(before);
  });
});

describe("compact() out of place", () => {
  test("while a turn is in flight it is SESSION_BUSY and the turn ends normally", async () => {
    const inTool = gate();
    const release = gate<string>();
    runtime.registerTool("clock", "Current time", { type: "object", properties: {} }, () => {
      inTool.resolve();
      return release.promise;
    });
    const session = runtime.createSession();
    for (const prompt of ["one", "two", "three", "four"]) await session.turn(prompt);
    const turn = session.turn("use clock");
    await inTool.promise;
    const busy = await errorOf(session.compact());
    expect(busy.code).toBe("SESSION_BUSY");
    release.resolve("noon");
    expect((await turn).toolCalls).toBe(1);
    expect(ofType(session.pollEvents(), "compaction_started")).toEqual([]);
    await session.compact();
    expect(ofType(session.pollEvents(), "compaction_completed")).toHaveLength(1);
  });

  test("on a destroyed session it is SESSION_NOT_FOUND", async () => {
    const session = runtime.createSession();
    session.destroy();
    expect((await errorOf(session.compact())).code).toBe("SESSION_NOT_FOUND");
  });
});

describe("through the Worker", () => {
  test("a failed compact() crosses with its code; the history and events are as on the main thread", async () => {
    const pair = await workerPair();
    try {
      const session = await pair.runtime.createSession({ compaction: { keepRecentTurns: 1 } });
      await session.turn("one");
      await session.turn("two");
      const before = await session.history();
      await session.pollEvents();
      await script("error=400");
      expect((await errorOf(session.compact())).code).toBe("PROVIDER_BAD_REQUEST");
      expect(await session.history()).toEqual(before);
      const events = await session.pollEvents();
      expect(events.map((e) => e.type)).toEqual(["compaction_started", "compaction_failed"]);
      await session.compact();
      expect((await session.history()).length).toBeLessThan(before.length);
      expect(ofType(await session.pollEvents(), "compaction_completed")).toEqual([
        expect.objectContaining({ messagesBefore: 4, messagesAfter: 3 }),
      ]);
      await session.destroy();
      expect((await errorOf(session.compact())).code).toBe("SESSION_NOT_FOUND");
    } finally {
      await pair.close();
    }
  });
});
