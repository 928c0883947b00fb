/**
 * Run budgets (tokens, wall time, tool calls) against the real core and the
 * simulated provider: warnings, refusals before a request or tool call, the
 * BUDGET_EXHAUSTED error with the partial result, and a usable session after.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { BudgetWarningEvent, MeerkatRuntime, RunResult } from "@rkat/web";
import { resetSim, simRuntime } from "./support/runtime.js";
import { errorOf, ofType, requestsWith, weatherSchema } from "./support/features.js";

let runtime: MeerkatRuntime;

beforeEach(async () => {
  await resetSim();
  runtime = await simRuntime();
});
afterEach(() => runtime.destroy());

interface BudgetDetails {
  budgetType: string;
  used: number;
  limit: number;
  partial: RunResult;
}

const clockSchema = { type: "object" as const, properties: {} };

/** get_weather and clock, counting their calls. */
function registerTwoTools(): string[] {
  const calls: string[] = [];
  runtime.registerTool("get_weather", "Get the current weather for a city.", weatherSchema, () => {
    calls.push("get_weather");
    return "sunny";
  });
  runtime.registerTool("clock", "Current time", clockSchema, () => {
    calls.push("clock");
    return "noon";
  });
  return calls;
}

const warnings = (events: Parameters<typeof ofType>[0], type: BudgetWarningEvent["budgetType"]) =>
  ofType(events, "budget_warning")
    .filter((e) => e.budgetType === type)
    .map(({ budgetType, used, limit, percent }) => ({ budgetType, used, limit, percent }));

describe("tool-call budget", () => {
  test("a call past toolCalls is not run, the model gets BUDGET_EXHAUSTED, and turn() rejects with the partial result", async () => {
    const calls = registerTwoTools();
    const session = runtime.createSession({ budget: { toolCalls: 1 } });
    const error = await errorOf(session.turn("Check the weather in Rome and the clock marker-tc1"));

    expect(error.code).toBe("BUDGET_EXHAUSTED");
    const details = error.details as BudgetDetails;
    expect(details).toMatchObject({ budgetType: "tool_calls", used: 1, limit: 1 });
    expect(details.partial).toMatchObject({ sessionId: session.id, turns: 1, toolCalls: 1 });
    expect(details.partial.usage.inputTokens).toBeGreaterThan(0);

    // Only the first call ran; the second was refused before its handler.
    expect(calls).toEqual(["get_weather"]);
    const events = session.pollEvents();
    expect(details.partial.text).toBe(ofType(events, "text_complete")[0]!.content);
    const completed = ofType(events, "tool_execution_completed");
    const clock = completed.find((e) => e.name === "clock")!;
    expect(clock.isError).toBe(true);
    expect(clock.result.startsWith("BUDGET_EXHAUSTED")).toBe(true);
    expect(completed.find((e) => e.name === "get_weather")).toMatchObject({ isError: false, result: "sunny" });
    expect(events.at(-1)?.type).toBe("run_failed");

    // The run then failed: no second request went out.
    expect(await requestsWith("marker-tc1")).toHaveLength(1);

    // The refused call's result is in the history, paired with its call.
    const history = await session.history();
    const results = history.at(-1)!.content.filter((p) => p.type === "tool_result");
    expect(results).toHaveLength(2);
    const refused = results.find((p) => p.type === "tool_result" && p.tool_use_id === clock.id)!;
    expect(refused).toMatchObject({ is_error: true });
    expect(JSON.stringify(refused)).toContain("BUDGET_EXHAUSTED");

    // The session takes the next turn (the prompt follows the kept tool results).
    const next = await session.turn("hello after the budget marker-tc1b");
    expect(next.turns).toBe(1);
    expect(next.text.startsWith("You said: hello after the budget marker-tc1b")).toBe(true);
    const sent = await requestsWith("marker-tc1b");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.messages.length).toBeGreaterThanOrEqual(3);
    expect((await session.history()).length).toBe(history.length + 2);
  });

  test("warnings: once at warnAtPercent and again at the limit, and a run that stays within the limit completes", async () => {
    const calls = registerTwoTools();
    const session = runtime.createSession({ budget: { toolCalls: 2, warnAtPercent: 50 } });
    const result = await session.turn("Check the weather in Rome and the clock");
    expect(result.toolCalls).toBe(2);
    expect(result.text).toBe("get_weather returned: sunny. clock returned: noon.");
    expect(calls.sort()).toEqual(["clock", "get_weather"]);
    expect(warnings(session.pollEvents(), "tool_calls")).toEqual([
      { budgetType: "tool_calls", used: 1, limit: 2, percent: 50 },
      { budgetType: "tool_calls", used: 2, limit: 2, percent: 100 },
    ]);
  });

  test("no warning below warnAtPercent", async () => {
    registerTwoTools();
    const session = runtime.createSession({ budget: { toolCalls: 4 } });
    await session.turn("Check the weather in Rome and the clock");
    // 2 of 4 is 50%, below the default 80%.
    expect(warnings(session.pollEvents(), "tool_calls")).toEqual([]);
  });
});

describe("token budget", () => {
  test("a request that would start with the tokens used up is not sent", async () => {
    const calls = registerTwoTools();
    const session = runtime.createSession({ budget: { tokens: 10 } });
    const error = await errorOf(session.turn("What's the weather in Paris? marker-tok1"));
    expect(error.code).toBe("BUDGET_EXHAUSTED");
    const details = error.details as BudgetDetails;
    expect(details.budgetType).toBe("tokens");
    expect(details.limit).toBe(10);
    expect(details.partial).toMatchObject({ sessionId: session.id, turns: 1, toolCalls: 1 });
    const partialTokens = details.partial.usage.inputTokens + details.partial.usage.outputTokens;
    expect(details.used).toBe(partialTokens);
    expect(details.used).toBeGreaterThan(10);
    expect(details.partial.text).toBe("Let me use get_weather.");

    // The first request went out, the tool ran, the second request did not.
    expect(calls).toEqual(["get_weather"]);
    expect(await requestsWith("marker-tok1")).toHaveLength(1);
    const events = session.pollEvents();
    const tokenWarnings = warnings(events, "tokens");
    expect(tokenWarnings.length).toBeGreaterThanOrEqual(1);
    expect(tokenWarnings.at(-1)).toMatchObject({ used: details.used, limit: 10 });
    expect(tokenWarnings.at(-1)!.percent).toBeGreaterThanOrEqual(100);
    expect(events.at(-1)?.type).toBe("run_failed");

    const next = await session.turn("ping marker-tok1b");
    expect(next.turns).toBe(1);
    expect(next.text.startsWith("You said: ping marker-tok1b")).toBe(true);
    expect(await requestsWith("marker-tok1b")).toHaveLength(1);
  });

  test("warnings at the default 80% and at the limit, with exact figures", async () => {
    registerTwoTools();
    // Calibrate: the same run without a budget (the simulator is deterministic).
    const probe = runtime.createSession();
    await probe.turn("What's the weather in Paris?");
    const turns = ofType(probe.pollEvents(), "turn_completed").map((e) => e.usage.inputTokens + e.usage.outputTokens);
    expect(turns).toHaveLength(2);
    const [first, second] = turns as [number, number];
    // 85% of the limit after the first answer; past it after the second (no third request is needed).
    const limit = Math.ceil((first * 100) / 85);
    expect(first + second).toBeGreaterThanOrEqual(limit);

    const session = runtime.createSession({ budget: { tokens: limit } });
    const result = await session.turn("What's the weather in Paris?");
    expect(result.text).toBe("get_weather returned: sunny.");
    expect(warnings(session.pollEvents(), "tokens")).toEqual([
      { budgetType: "tokens", used: first, limit, percent: Math.floor((first * 100) / limit) },
      { budgetType: "tokens", used: first + second, limit, percent: Math.floor(((first + second) * 100) / limit) },
    ]);

    // A warning level above what the first answer reaches: nothing after it; the
    // second answer crosses the warning level and the limit together.
    const quiet = runtime.createSession({ budget: { tokens: limit, warnAtPercent: 95 } });
    await quiet.turn("What's the weather in Paris?");
    const atEnd = { budgetType: "tokens", used: first + second, limit, percent: Math.floor(((first + second) * 100) / limit) };
    const late = warnings(quiet.pollEvents(), "tokens");
    expect(late.length).toBeGreaterThanOrEqual(1);
    expect(late.length).toBeLessThanOrEqual(2);
    for (const warning of late) expect(warning).toEqual(atEnd);
  });
});

describe("time budget", () => {
  test("a run held by a tool past durationMs ends at once; no further request starts", async () => {
    runtime.registerTool("slow", "A slow thing", { type: "object" }, () => new Promise(() => {}));
    // The tool would time out after 50 ms; the 10 ms budget ends the run first.
    const session = runtime.createSession({ budget: { durationMs: 10 }, toolTimeoutMs: 50 });
    const error = await errorOf(session.turn("use the slow tool marker-time1"));
    expect(error.code).toBe("BUDGET_EXHAUSTED");
    const details = error.details as BudgetDetails;
    expect(details.budgetType).toBe("time");
    expect(details.limit).toBe(10);
    expect(details.used).toBeGreaterThanOrEqual(10);
    expect(details.partial).toMatchObject({ turns: 1, toolCalls: 1 });
    expect(await requestsWith("marker-time1")).toHaveLength(1);
    const events = session.pollEvents();
    expect(ofType(events, "tool_execution_timed_out")).toHaveLength(0);
    expect(warnings(events, "time").at(-1)).toMatchObject({ budgetType: "time", limit: 10 });
    expect(events.at(-1)?.type).toBe("run_failed");
  });

  test("a run backing off before a retry past durationMs ends at once; the retry is not sent", async () => {
    const session = runtime.createSession({
      budget: { durationMs: 20 },
      retry: { maxRetries: 2, initialDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    const error = await errorOf(session.turn("busy marker-time2 [[sim:error=529]]"));
    expect(error.code).toBe("BUDGET_EXHAUSTED");
    expect(error.details).toMatchObject({ budgetType: "time", limit: 20, partial: { toolCalls: 0 } });
    expect(await requestsWith("marker-time2")).toHaveLength(1);
    expect(ofType(session.pollEvents(), "retrying")).toHaveLength(1);
  });
});

describe("turn budgets", () => {
  test("a turn's budget replaces the session's, for that turn only", async () => {
    const calls = registerTwoTools();
    const session = runtime.createSession({ budget: { toolCalls: 1 } });

    const wider = await session.turn("Check the weather in Rome and the clock", { budget: { toolCalls: 2 } });
    expect(wider.toolCalls).toBe(2);
    expect(calls).toHaveLength(2);

    // Replaced, not merged: the session's tool-call limit does not apply beside a turn's token limit.
    const other = await session.turn("Check the weather in Oslo and the clock", { budget: { tokens: 1_000_000 } });
    expect(other.toolCalls).toBe(2);

    // The next turn without a budget of its own is back under the session's.
    const error = await errorOf(session.turn("Check the weather in Lima and the clock"));
    expect(error.code).toBe("BUDGET_EXHAUSTED");
    expect((error.details as BudgetDetails).budgetType).toBe("tool_calls");
  });

  test("a turn budget alone limits a session without one", async () => {
    registerTwoTools();
    const session = runtime.createSession();
    const error = await errorOf(session.turn("What's the weather in Paris? marker-tb2", { budget: { tokens: 10 } }));
    expect(error.code).toBe("BUDGET_EXHAUSTED");
    expect(await requestsWith("marker-tb2")).toHaveLength(1);
    const free = await session.turn("What's the weather in Paris?");
    expect(free.text).toBe("get_weather returned: sunny.");
  });

  test("a stream over budget yields run_failed, then throws BUDGET_EXHAUSTED", async () => {
    registerTwoTools();
    const session = runtime.createSession();
    const stream = session.stream("Check the weather in Rome and the clock", { budget: { toolCalls: 1 } });
    const seen: string[] = [];
    const error = await errorOf(
      (async () => {
        for await (const event of stream) seen.push(event.type);
      })(),
    );
    expect(error.code).toBe("BUDGET_EXHAUSTED");
    expect(seen.at(-1)).toBe("run_failed");
    expect(seen).toContain("budget_warning");
  });
});
