/**
 * Context compaction against the simulated provider (which writes a
 * deterministic summary when the system prompt says "Summarize the
 * conversation"): automatic before a request past the threshold, on
 * demand, failures that leave the history intact, tool calls kept with
 * their results, and the summary's usage.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { HistoryMessage, MeerkatRuntime } from "@rkat/web";
import { resetSim, script, simRequests, simRuntime } from "./support/runtime.js";
import { ofType, requestsWith, systemOf, weatherSchema } from "./support/features.js";

let runtime: MeerkatRuntime;

beforeEach(async () => {
  await resetSim();
  runtime = await simRuntime();
});
afterEach(() => runtime.destroy());

const SUMMARY_PREFIX = "[Summary of the earlier conversation]\n";

const textOf = (m: HistoryMessage | undefined): string =>
  (m?.content ?? []).map((p) => (p.type === "text" ? p.text : "")).join("");

/** Requests that asked for a summary. */
async function summaryRequests() {
  return (await simRequests()).filter((r) => /summari[sz]e the conversation/i.test(systemOf(r.body)));
}

/** Every tool_use is answered by a tool_result in the very next message, and every result follows its call. */
function expectToolPairsIntact(history: HistoryMessage[]): number {
  let pairs = 0;
  history.forEach((message, i) => {
    for (const part of message.content) {
      if (part.type === "tool_use") {
        const next = history[i + 1];
        expect(next?.role, `the call ${part.id} is followed by a user message`).toBe("user");
        const answered = next!.content.some((p) => p.type === "tool_result" && p.tool_use_id === part.id);
        expect(answered, `tool_use ${part.id} keeps its tool_result`).toBe(true);
        pairs += 1;
      }
      if (part.type === "tool_result") {
        const previous = history[i - 1];
        const asked = previous?.content.some((p) => p.type === "tool_use" && p.id === part.tool_use_id) ?? false;
        expect(asked, `tool_result ${part.tool_use_id} follows its tool_use`).toBe(true);
      }
    }
  });
  return pairs;
}

describe("automatic compaction", () => {
  test("past the threshold the older turns are summarised before the request", async () => {
    const session = runtime.createSession({ compaction: { thresholdTokens: 1, keepRecentTurns: 1 } });
    const first = await session.turn("My name is Ada.");
    expect(first.text).toBe("You said: My name is Ada. (1 messages in context)");
    // One user turn: nothing older to summarise yet.
    expect(ofType(session.pollEvents(), "compaction_started")).toEqual([]);
    expect(await summaryRequests()).toHaveLength(0);

    const second = await session.turn("What is my name? marker-c1");
    // The name survives through the summary.
    expect(second.text).toBe("Your name is Ada.");
    expect(second.turns).toBe(1);

    const events = session.pollEvents();
    const started = ofType(events, "compaction_started");
    const completed = ofType(events, "compaction_completed");
    expect(started).toHaveLength(1);
    expect(started[0]!.messageCount).toBe(3);
    expect(started[0]!.inputTokens).toBeGreaterThanOrEqual(1);
    expect(started[0]!.estimatedHistoryTokens).toBeGreaterThan(0);
    expect(started[0]!.estimatedHistoryTokens).toBeLessThanOrEqual(started[0]!.inputTokens);
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({ messagesBefore: 3, messagesAfter: 2 });
    expect(completed[0]!.summaryTokens).toBeGreaterThan(0);
    expect(completed[0]!.seq).toBeGreaterThan(started[0]!.seq);
    expect(ofType(events, "compaction_failed")).toEqual([]);

    // The summary request: the older part only, under the summary instruction, no tools.
    const [summary] = await summaryRequests();
    expect(summary).toBeDefined();
    expect(JSON.stringify(summary!.body.messages)).toContain("My name is Ada.");
    expect(JSON.stringify(summary!.body.messages)).not.toContain("marker-c1");
    expect(summary!.body.tools ?? []).toEqual([]);

    // The turn's request: the summary, then the current prompt.
    const sent = await requestsWith("marker-c1");
    const turnRequest = sent.find((r) => !/summari[sz]e the conversation/i.test(systemOf(r.body)))!;
    expect(JSON.stringify(turnRequest.body.messages)).toContain("[Summary of the earlier conversation]");

    const history = await session.history();
    expect(history).toHaveLength(3);
    expect(history[0]!.role).toBe("user");
    expect(textOf(history[0]).startsWith(SUMMARY_PREFIX)).toBe(true);
    expect(textOf(history[0])).toContain("My name is Ada.");
    expect(history.slice(1)).toEqual([
      { role: "user", content: [{ type: "text", text: "What is my name? marker-c1" }] },
      { role: "assistant", content: [{ type: "text", text: "Your name is Ada." }] },
    ]);
  });

  test("the summary's usage is the run's, not a turn", async () => {
    const session = runtime.createSession({ compaction: { thresholdTokens: 1, keepRecentTurns: 1 } });
    await session.turn("My name is Ada.");
    const turnsBefore = session.turns;
    session.pollEvents();
    const result = await session.turn("What is my name?");
    const events = session.pollEvents();
    const answer = ofType(events, "turn_completed");
    expect(answer).toHaveLength(1);
    const summaryTokens = ofType(events, "compaction_completed")[0]!.summaryTokens;
    expect(result.turns).toBe(1);
    expect(session.turns).toBe(turnsBefore + 1);
    expect(result.usage.outputTokens).toBe(answer[0]!.usage.outputTokens + summaryTokens);
    expect(result.usage.inputTokens).toBeGreaterThan(answer[0]!.usage.inputTokens);
    expect(ofType(events, "run_completed")[0]!.usage).toEqual(result.usage);
  });

  test("below the threshold nothing is summarised", async () => {
    const session = runtime.createSession({ compaction: { thresholdTokens: 100_000, keepRecentTurns: 1 } });
    await session.turn("one");
    await session.turn("two");
    const third = await session.turn("three");
    expect(third.text).toBe("You said: three (5 messages in context)");
    const events = session.pollEvents();
    expect(ofType(events, "compaction_started")).toEqual([]);
    expect(await summaryRequests()).toHaveLength(0);
    expect(await session.history()).toHaveLength(6);
  });

  test("keepRecentTurns turns stay verbatim", async () => {
    const session = runtime.createSession({ compaction: { thresholdTokens: 1, keepRecentTurns: 2 } });
    await session.turn("alpha");
    await session.turn("beta");
    await session.turn("gamma");
    const history = await session.history();
    // Summary, then beta and gamma with their answers.
    expect(textOf(history[0]).startsWith(SUMMARY_PREFIX)).toBe(true);
    expect(textOf(history[0])).toContain('"alpha"');
    expect(history.slice(1).map(textOf)).toEqual([
      "beta",
      expect.stringContaining("You said: beta"),
      "gamma",
      expect.stringContaining("You said: gamma"),
    ]);
  });

  test("a failed summary request: compaction_failed, history intact, the run goes on", async () => {
    const session = runtime.createSession({ compaction: { thresholdTokens: 1, keepRecentTurns: 1 } });
    await session.turn("My name is Ada.");
    const before = await session.history();
    session.pollEvents();
    await script("error=400");
    const result = await session.turn("What is my name?");
    expect(result.text).toBe("Your name is Ada.");
    const events = session.pollEvents();
    expect(ofType(events, "compaction_started")).toHaveLength(1);
    const failed = ofType(events, "compaction_failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error.length).toBeGreaterThan(0);
    expect(ofType(events, "compaction_completed")).toEqual([]);
    expect(events.at(-1)?.type).toBe("run_completed");
    const history = await session.history();
    expect(history.slice(0, before.length)).toEqual(before);
    expect(history).toHaveLength(4);
    expect(history.some((m) => textOf(m).startsWith(SUMMARY_PREFIX))).toBe(false);
  });
});

describe("session.compact()", () => {
  test("summarises on demand, keeping the last turns (default 3)", async () => {
    const session = runtime.createSession();
    for (const prompt of ["one", "two", "three", "four"]) await session.turn(prompt);
    const turns = session.turns;
    session.pollEvents();
    await session.compact();
    const history = await session.history();
    expect(history).toHaveLength(7);
    expect(textOf(history[0]).startsWith(SUMMARY_PREFIX)).toBe(true);
    expect(textOf(history[0])).toContain('"one"');
    expect(history.slice(1).filter((m) => m.role === "user").map(textOf)).toEqual(["two", "three", "four"]);
    const events = session.pollEvents();
    expect(ofType(events, "compaction_completed")[0]).toMatchObject({ messagesBefore: 8, messagesAfter: 7 });
    expect(await summaryRequests()).toHaveLength(1);
    expect(session.turns).toBe(turns);
    // The conversation goes on from the summary (which opens the request), then the kept turns.
    const next = await session.turn("five marker-c5");
    expect(next.text.startsWith("You said: five marker-c5")).toBe(true);
    const sent = (await requestsWith("marker-c5")).at(-1)!.body;
    expect(sent.messages[0].role).toBe("user");
    expect(JSON.stringify(sent.messages[0])).toContain("[Summary of the earlier conversation]");
    expect(JSON.stringify(sent.messages.at(-1))).toContain("five marker-c5");
    const roles = sent.messages.map((m: { role: string }) => m.role);
    expect(roles.filter((r: string) => r === "assistant")).toHaveLength(3);
  });

  test("the summary's tokens count in the session's usage", async () => {
    const session = runtime.createSession({ compaction: { keepRecentTurns: 1 } });
    await session.turn("one");
    await session.turn("two");
    const before = session.usage.outputTokens;
    const totalBefore = runtime.listSessions()[0]!.totalTokens;
    session.pollEvents();
    await session.compact();
    const summaryTokens = ofType(session.pollEvents(), "compaction_completed")[0]!.summaryTokens;
    expect(summaryTokens).toBeGreaterThan(0);
    // The runtime's own count includes the summary request...
    expect(runtime.listSessions()[0]!.totalTokens).toBeGreaterThan(totalBefore + summaryTokens);
    // ...and so does the session's, right after compact() resolves.
    expect(session.usage.outputTokens).toBe(before + summaryTokens);
    expect(session.turns).toBe(2);
  });

  test("with nothing old enough it changes nothing and sends nothing", async () => {
    const session = runtime.createSession({ compaction: { keepRecentTurns: 1 } });
    await session.compact();
    await session.turn("only turn");
    const before = await session.history();
    await session.compact();
    expect(await session.history()).toEqual(before);
    expect(await summaryRequests()).toHaveLength(0);
  });

  test("a failed compact() rejects and leaves the history intact", async () => {
    const session = runtime.createSession({ compaction: { keepRecentTurns: 1 } });
    await session.turn("one");
    await session.turn("two");
    const before = await session.history();
    await script("error=400");
    await expect(session.compact()).rejects.toMatchObject({ code: "PROVIDER_BAD_REQUEST" });
    expect(await session.history()).toEqual(before);
    expect(ofType(session.pollEvents(), "compaction_failed")).toHaveLength(1);
  });

  test("a tool call is never separated from its result", async () => {
    runtime.registerTool("get_weather", "Get the current weather for a city.", weatherSchema, () => "sunny");
    runtime.registerTool("clock", "Current time", { type: "object", properties: {} }, () => "noon");
    const session = runtime.createSession({ compaction: { keepRecentTurns: 2 } });
    await session.turn("What's the weather in Paris?");
    await session.turn("And what does the clock say?");
    await session.turn("Check the weather in Rome and the clock");
    await session.turn("What's the weather in Oslo?");
    const full = await session.history();
    expect(expectToolPairsIntact(full)).toBe(5);

    await session.compact();
    const history = await session.history();
    expect(textOf(history[0]).startsWith(SUMMARY_PREFIX)).toBe(true);
    expect(textOf(history[0])).toContain("get_weather");
    expect(history.length).toBeLessThan(full.length);
    // The kept part is the last two turns, whole.
    expect(history.slice(1)).toEqual(full.slice(full.length - history.length + 1));
    expect(history[1]).toEqual({ role: "user", content: [{ type: "text", text: "Check the weather in Rome and the clock" }] });
    expect(expectToolPairsIntact(history)).toBe(3);

    // And the next request is accepted by the provider's pairing checks.
    const next = await session.turn("thanks");
    expect(next.text).toContain("You said: thanks");
  });

  test("automatic compaction in a tool run keeps every pair too", async () => {
    runtime.registerTool("get_weather", "Get the current weather for a city.", weatherSchema, () => "sunny");
    const session = runtime.createSession({ compaction: { thresholdTokens: 1, keepRecentTurns: 1 } });
    await session.turn("What's the weather in Paris?");
    const result = await session.turn("What's the weather in Lima?");
    expect(result.text).toBe("get_weather returned: sunny.");
    expect(ofType(session.pollEvents(), "compaction_completed").length).toBeGreaterThanOrEqual(1);
    const history = await session.history();
    expect(textOf(history[0]).startsWith(SUMMARY_PREFIX)).toBe(true);
    expect(expectToolPairsIntact(history)).toBe(1);
  });
});
