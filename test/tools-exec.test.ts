/**
 * Tool execution: timeouts (per tool and per session), concurrent calls
 * with results in call order, read-only sessions, and argument validation
 * against the inputSchema, with the real core and the simulated provider.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { MeerkatError, MeerkatRuntime } from "@rkat/web";
import { resetSim, simRequests, simRuntime } from "./support/runtime.js";
import { gate, ofType, requestsWith, weatherSchema } from "./support/features.js";

let runtime: MeerkatRuntime;

beforeEach(async () => {
  await resetSim();
  runtime = await simRuntime();
});
afterEach(() => runtime.destroy());

const never = () => new Promise<never>(() => {});

/** The tool_result blocks of the last request whose body mentions `marker`. */
async function toolResultsSent(marker: string): Promise<Array<{ tool_use_id: string; is_error?: boolean; text: string }>> {
  const sent = (await requestsWith(marker)).at(-1)!;
  const results = [];
  for (const message of sent.body.messages as Array<{ role: string; content: unknown }>) {
    if (!Array.isArray(message.content)) continue;
    for (const block of message.content as Array<Record<string, any>>) {
      if (block.type !== "tool_result") continue;
      const text = Array.isArray(block.content)
        ? block.content.map((c: { text?: string }) => c.text ?? "").join("")
        : String(block.content);
      results.push({ tool_use_id: block.tool_use_id, is_error: block.is_error, text });
    }
  }
  return results;
}

describe("timeouts", () => {
  test("a handler that does not settle in time: tool_execution_timed_out, a TOOL_TIMEOUT result, the run goes on", async () => {
    runtime.registerTool("slow", "A slow thing", { type: "object" }, never, { timeoutMs: 50 });
    const session = runtime.createSession();
    const result = await session.turn("use the slow tool marker-to1");
    expect(result.turns).toBe(2);
    expect(result.toolCalls).toBe(1);
    expect(result.text).toBe('slow failed: TOOL_TIMEOUT: tool "slow" did not finish within 50 ms; its result will not arrive.');

    const events = session.pollEvents();
    const requested = ofType(events, "tool_call_requested")[0]!;
    const timedOut = ofType(events, "tool_execution_timed_out");
    expect(timedOut).toEqual([{ type: "tool_execution_timed_out", seq: timedOut[0]!.seq, id: requested.id, name: "slow", timeoutMs: 50 }]);
    const completed = ofType(events, "tool_execution_completed")[0]!;
    expect(completed).toMatchObject({ id: requested.id, name: "slow", isError: true });
    expect(completed.result.startsWith("TOOL_TIMEOUT: ")).toBe(true);
    expect(completed.seq).toBeGreaterThan(timedOut[0]!.seq);
    expect(events.at(-1)?.type).toBe("run_completed");

    const [sent] = await toolResultsSent("marker-to1");
    expect(sent).toMatchObject({ tool_use_id: requested.id, is_error: true });
    expect(sent!.text.startsWith("TOOL_TIMEOUT: ")).toBe(true);
  });

  test("a late settlement after the timeout is ignored", async () => {
    const late = gate<string>();
    runtime.registerTool("slow", "A slow thing", { type: "object" }, () => late.promise, { timeoutMs: 50 });
    const session = runtime.createSession();
    const first = await session.turn("use the slow tool");
    expect(first.text.startsWith("slow failed: TOOL_TIMEOUT:")).toBe(true);
    const before = await session.history();
    session.pollEvents();

    late.resolve("too late to matter");
    const next = await session.turn("hello again");
    expect(next.text).toBe("You said: hello again (5 messages in context)");
    const history = await session.history();
    expect(history.slice(0, before.length)).toEqual(before);
    expect(JSON.stringify(history)).not.toContain("too late to matter");
    const events = session.pollEvents();
    expect(JSON.stringify(events)).not.toContain("too late to matter");
    expect(ofType(events, "tool_execution_completed")).toEqual([]);
  });

  test("the session's toolTimeoutMs applies to tools without their own", async () => {
    runtime.registerTool("slow", "A slow thing", { type: "object" }, never);
    const session = runtime.createSession({ toolTimeoutMs: 40 });
    const result = await session.turn("use the slow tool");
    expect(result.text).toBe('slow failed: TOOL_TIMEOUT: tool "slow" did not finish within 40 ms; its result will not arrive.');
    expect(ofType(session.pollEvents(), "tool_execution_timed_out").map((e) => e.timeoutMs)).toEqual([40]);
  });

  test("a tool's own timeoutMs wins over the session default", async () => {
    runtime.registerTool("slow", "A slow thing", { type: "object" }, never, { timeoutMs: 30 });
    const session = runtime.createSession({ toolTimeoutMs: 60_000 });
    await session.turn("use the slow tool");
    expect(ofType(session.pollEvents(), "tool_execution_timed_out").map((e) => e.timeoutMs)).toEqual([30]);
  });

  test("a handler that answers in time is not reported as timed out", async () => {
    runtime.registerTool("clock", "Current time", { type: "object" }, async () => "noon", { timeoutMs: 5000 });
    const session = runtime.createSession({ toolTimeoutMs: 5000 });
    const result = await session.turn("what does the clock say");
    expect(result.text).toBe("clock returned: noon.");
    const events = session.pollEvents();
    expect(ofType(events, "tool_execution_timed_out")).toEqual([]);
    expect(ofType(events, "tool_execution_completed")[0]).toMatchObject({ name: "clock", result: "noon", isError: false });
  });
});

describe("concurrency", () => {
  test("the calls of one response run concurrently; results reach the model in call order", async () => {
    const clockStarted = gate();
    const finished: string[] = [];
    runtime.registerTool("get_weather", "Get the current weather for a city.", weatherSchema, async () => {
      // Finishes only once the second call has started: sequential execution would time out here.
      await clockStarted.promise;
      finished.push("get_weather");
      return "sunny";
    });
    runtime.registerTool("clock", "Current time", { type: "object", properties: {} }, () => {
      clockStarted.resolve();
      finished.push("clock");
      return "noon";
    });
    const session = runtime.createSession({ toolTimeoutMs: 2000 });
    const result = await session.turn("Check the weather in Rome and the clock marker-conc");

    expect(finished).toEqual(["clock", "get_weather"]);
    expect(result.text).toBe("get_weather returned: sunny. clock returned: noon.");
    const events = session.pollEvents();
    expect(ofType(events, "tool_execution_timed_out")).toEqual([]);
    const callOrder = ofType(events, "tool_call_requested").map((e) => e.id);
    expect(ofType(events, "tool_call_requested").map((e) => e.name)).toEqual(["get_weather", "clock"]);
    expect(ofType(events, "tool_execution_completed").map((e) => e.name)).toEqual(["clock", "get_weather"]);

    // What the model received: one result per call, in call order, not completion order.
    const sent = await toolResultsSent("marker-conc");
    expect(sent.map((r) => r.tool_use_id)).toEqual(callOrder);
    expect(sent.map((r) => r.text)).toEqual(["sunny", "noon"]);
    const last = (await requestsWith("marker-conc")).at(-1)!.body;
    const uses = last.messages[1].content.filter((c: { type: string }) => c.type === "tool_use").map((c: { id: string }) => c.id);
    expect(uses).toEqual(callOrder);
  });
});

describe("read-only sessions", () => {
  const noteSchema = { type: "object" as const, properties: { text: { type: "string" } }, required: ["text"] };

  test("tools not registered readOnly get TOOL_NOT_ALLOWED and their handler is not called", async () => {
    const calls: string[] = [];
    runtime.registerTool("get_weather", "Get the current weather for a city.", weatherSchema, () => {
      calls.push("get_weather");
      return "sunny";
    }, { readOnly: true });
    runtime.registerTool("save_note", "Save a note", noteSchema, () => {
      calls.push("save_note");
      return "saved";
    });
    const session = runtime.createSession({ readOnly: true });
    const result = await session.turn('Check the weather in Paris and save_note "buy milk" marker-ro1');
    expect(calls).toEqual(["get_weather"]);
    expect(result.toolCalls).toBeGreaterThanOrEqual(1);

    const completed = ofType(session.pollEvents(), "tool_execution_completed");
    const note = completed.find((e) => e.name === "save_note")!;
    expect(note.isError).toBe(true);
    expect(note.result.startsWith("TOOL_NOT_ALLOWED: ")).toBe(true);
    expect(completed.find((e) => e.name === "get_weather")).toMatchObject({ isError: false, result: "sunny" });
    const sent = await toolResultsSent("marker-ro1");
    const refused = sent.find((r) => r.tool_use_id === note.id)!;
    expect(refused.is_error).toBe(true);
    expect(refused.text.startsWith("TOOL_NOT_ALLOWED: ")).toBe(true);
    expect(result.text).toContain("save_note failed: TOOL_NOT_ALLOWED: ");
    expect(result.text).toContain("get_weather returned: sunny.");
  });

  test("the same tools all run in an ordinary session", async () => {
    const calls: string[] = [];
    runtime.registerTool("get_weather", "Weather", weatherSchema, () => {
      calls.push("get_weather");
      return "sunny";
    }, { readOnly: true });
    runtime.registerTool("save_note", "Save a note", noteSchema, (args) => {
      calls.push(`save_note:${String(args.text)}`);
      return "saved";
    });
    const session = runtime.createSession();
    await session.turn('Check the weather in Paris and save_note "buy milk"');
    expect(calls.sort()).toEqual(["get_weather", "save_note:buy milk"]);
  });
});

describe("argument validation", () => {
  test("arguments that do not match the inputSchema: TOOL_ARGS_INVALID naming the path, handler not called", async () => {
    const calls: unknown[] = [];
    runtime.registerTool("get_weather", "Get the current weather for a city.", weatherSchema, (args) => {
      calls.push(args);
      return "sunny";
    });
    const session = runtime.createSession();
    const result = await session.turn('weather please {"location": 5} marker-args1');
    expect(calls).toEqual([]);
    const events = session.pollEvents();
    expect(ofType(events, "tool_call_requested")[0]).toMatchObject({ name: "get_weather", args: { location: 5 } });
    const completed = ofType(events, "tool_execution_completed")[0]!;
    expect(completed.isError).toBe(true);
    expect(completed.result).toMatch(/^TOOL_ARGS_INVALID: .* at \/location\b/);
    const [sent] = await toolResultsSent("marker-args1");
    expect(sent!.is_error).toBe(true);
    expect(sent!.text).toBe(completed.result);
    expect(result.text).toBe(`get_weather failed: ${completed.result}.`);
    expect(events.at(-1)?.type).toBe("run_completed");
  });

  test("a nested mismatch names the nested path", async () => {
    const calls: unknown[] = [];
    const schema = {
      type: "object" as const,
      properties: {
        trip: {
          type: "object",
          properties: { days: { type: "integer", minimum: 1 } },
          required: ["days"],
        },
      },
      required: ["trip"],
    };
    runtime.registerTool("plan_trip", "Plan a trip", schema, (args) => {
      calls.push(args);
      return "planned";
    });
    const session = runtime.createSession();
    await session.turn('plan_trip {"trip": {"days": 0}}');
    expect(calls).toEqual([]);
    const completed = ofType(session.pollEvents(), "tool_execution_completed")[0]!;
    expect(completed.isError).toBe(true);
    expect(completed.result).toMatch(/^TOOL_ARGS_INVALID: .* at \/trip\/days\b/);
  });

  test("matching arguments reach the handler exactly as sent", async () => {
    const calls: unknown[] = [];
    runtime.registerTool("get_weather", "Get the current weather for a city.", weatherSchema, (args) => {
      calls.push(args);
      return "mild";
    });
    const session = runtime.createSession();
    const result = await session.turn('weather please {"location": "Lima"}');
    expect(calls).toEqual([{ location: "Lima" }]);
    expect(result.text).toBe("get_weather returned: mild.");
    expect((await simRequests()).length).toBe(2);
  });
});

describe("results the core cannot take as they are", () => {
  test("a handler that throws a value that cannot be printed: the model gets an error result, the run goes on", async () => {
    const unprintable = [Object.create(null), { toString: () => { throw new Error("no"); } }];
    for (const thrown of unprintable) {
      runtime.registerTool("get_weather", "Weather", weatherSchema, () => { throw thrown; });
      const session = runtime.createSession();
      const result = await session.turn("What's the weather in Paris?");
      expect(result.toolCalls).toBe(1);
      const [done] = ofType(session.pollEvents(), "tool_execution_completed");
      expect(done).toMatchObject({ isError: true, result: "Error: a value that cannot be printed" });
      runtime.unregisterTool("get_weather");
    }
  });

  test("a result past maxPromptBytes is cut with a note the model reads; the session stays usable", async () => {
    const small = await simRuntime({ maxPromptBytes: 4096 });
    small.registerTool("get_weather", "Weather", weatherSchema, () => "h".repeat(100_000));
    const session = small.createSession();
    await session.turn("What's the weather in Paris? marker-huge");
    const [sent] = await toolResultsSent("marker-huge");
    expect(sent!.text).toBe(`${"h".repeat(4096)}\n[TRUNCATED: the tool result was longer than 4096 bytes (maxPromptBytes); the rest was left out]`);
    expect((await session.turn("still there?")).text).toContain("still there?");
    small.destroy();
  });

  test("a handler that never settles is ended by a durationMs budget: BUDGET_EXHAUSTED with the partial result", async () => {
    const late = gate<string>();
    runtime.registerTool("get_weather", "Weather", weatherSchema, () => late.promise);
    const session = runtime.createSession({ budget: { durationMs: 100 } });
    const error = await session.turn("What's the weather in Paris?").catch((e: MeerkatError) => e);
    expect(error).toMatchObject({ code: "BUDGET_EXHAUSTED", details: { budgetType: "time", limit: 100, partial: { toolCalls: 1 } } });
    late.resolve("too late to matter");
    const next = await session.turn("hello again");
    expect(next.text).toContain("hello again");
    expect(JSON.stringify(await session.history())).not.toContain("too late to matter");
  });
});
