/**
 * The real wasm core in Node, through real fetch, against the simulated
 * Anthropic provider on 127.0.0.1.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  isRunCompleted,
  isTextDelta,
  isTurnCompleted,
  MeerkatError,
  ProviderError,
  type AgentEvent,
  type MeerkatRuntime,
} from "@rkat/web";
import { resetSim, shape, simRequests, simRuntime } from "./support/runtime.js";

let runtime: MeerkatRuntime;

beforeEach(async () => {
  await resetSim();
  runtime = await simRuntime();
});
afterEach(() => runtime.destroy());

const weatherSchema = {
  type: "object" as const,
  properties: { location: { type: "string" } },
  required: ["location"],
};

describe("text turns", () => {
  test("a turn streams text and resolves with the result", async () => {
    const session = runtime.createSession({ model: "claude-sonnet-4-6", systemPrompt: "Be brief." });
    const result = await session.turn("Hello there");
    expect(result.text).toBe("You said: Hello there (1 messages in context)");
    expect(result.sessionId).toBe(session.id);
    expect(result.turns).toBe(1);
    expect(result.toolCalls).toBe(0);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);

    const events = session.pollEvents();
    expect(shape(events)).toEqual([
      "run_started",
      "turn_started",
      "text_delta*",
      "text_complete",
      "turn_completed",
      "run_completed",
    ]);
    expect(events[0]).toEqual({ type: "run_started", seq: 1, sessionId: session.id, prompt: "Hello there" });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const streamed = events.filter(isTextDelta).map((e) => e.delta).join("");
    expect(streamed).toBe(result.text);
    const completed = events.find(isTurnCompleted)!;
    expect(completed.stopReason).toBe("end_turn");
    expect(completed.usage).toEqual(result.usage);
    expect(events.find(isRunCompleted)).toEqual({
      type: "run_completed",
      seq: events.length,
      sessionId: session.id,
      result: result.text,
      usage: result.usage,
    });
    expect(session.pollEvents()).toEqual([]);
    expect(session.text).toBe(result.text);
    expect(session.lastResult).toEqual(result);
  });

  test("the request carries the documented headers, model, system prompt and max_tokens", async () => {
    const session = runtime.createSession({ systemPrompt: "You are a pirate.", maxTokens: 321, temperature: 0.5 });
    const result = await session.turn("ahoy marker-headers");
    expect(result.text.startsWith("Arr! ")).toBe(true);
    const sent = (await simRequests()).find((r) => JSON.stringify(r.body).includes("marker-headers"))!;
    expect(sent.path).toBe("/anthropic/v1/messages");
    expect(sent.headers["anthropic-version"]).toBe("2023-06-01");
    expect(sent.headers["anthropic-dangerous-direct-browser-access"]).toBe("true");
    expect(sent.headers["x-api-key"]).toBe("[redacted]");
    expect(sent.body).toMatchObject({
      model: "claude-sonnet-4-6",
      max_tokens: 321,
      stream: true,
      system: "You are a pirate.",
      temperature: 0.5,
    });
  });

  test("multi-turn memory: earlier messages are sent again", async () => {
    const session = runtime.createSession();
    await session.turn("My name is Ada.");
    const second = await session.turn("What is my name?");
    expect(second.text).toBe("Your name is Ada.");
    const third = await session.turn("And now?");
    expect(third.text).toBe("You said: And now? (5 messages in context)");
    const history = await session.history();
    expect(history.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "user", "assistant"]);
    expect(session.turns).toBe(3);
    expect(session.usage.outputTokens).toBeGreaterThan(second.usage.outputTokens);
  });

  test("UTF-8 cut at random network points arrives intact", async () => {
    const session = runtime.createSession();
    const prompt = "Grüße ☀️ — 18 °C 😀 [[sim:split=random,chunk=3]]";
    const result = await session.turn(prompt);
    expect(result.text).toBe("You said: Grüße ☀️ — 18 °C 😀 (1 messages in context)");
  });

  test("images in the prompt reach the provider", async () => {
    const session = runtime.createSession();
    const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==";
    const result = await session.turn([
      { type: "text", text: "Describe this image" },
      { type: "image", media_type: "image/png", data: png },
    ]);
    expect(result.text).toContain("I see 1 image(s) (image/png)");
    const sent = (await simRequests()).at(-1)!;
    expect(sent.body.messages[0].content[1]).toEqual({
      type: "image",
      source: { type: "base64", media_type: "image/png", data: png },
    });
  });

  test("a long stream of 20,000 deltas is delivered whole", async () => {
    const session = runtime.createSession();
    const [text, result] = await session.stream("[[sim:deltas=20000]]").collectText();
    expect(text).toBe(result.text);
    // The stream read its own cursor; pollEvents' cursor still has all of it, in order.
    const events = session.pollEvents();
    expect(events.filter(isTextDelta)).toHaveLength(20_000);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(result.text.length).toBeGreaterThan(20_000);
  });
});

describe("tools", () => {
  test("a tool turn runs the handler and feeds the result back", async () => {
    const calls: unknown[] = [];
    runtime.registerTool("get_weather", "Get the current weather for a city.", weatherSchema, async (args) => {
      calls.push(args);
      return "18 °C, sunny";
    });
    const session = runtime.createSession();
    const result = await session.turn("What's the weather in Paris?");
    expect(calls).toEqual([{ location: "Paris" }]);
    expect(result.turns).toBe(2);
    expect(result.toolCalls).toBe(1);
    expect(result.text).toBe("get_weather returned: 18 °C, sunny.");
    const events = session.pollEvents();
    expect(shape(events)).toEqual([
      "run_started",
      "turn_started",
      "text_delta*",
      "text_complete",
      "turn_completed",
      "tool_call_requested",
      "tool_execution_started",
      "tool_execution_completed",
      "tool_result_received",
      "turn_started",
      "text_delta*",
      "text_complete",
      "turn_completed",
      "run_completed",
    ]);
    const requested = events.find((e) => e.type === "tool_call_requested");
    expect(requested).toMatchObject({ name: "get_weather", args: { location: "Paris" } });
    const done = events.find((e) => e.type === "tool_execution_completed");
    expect(done).toMatchObject({ name: "get_weather", result: "18 °C, sunny", isError: false });
    const sent = (await simRequests()).at(-1)!;
    const toolResult = sent.body.messages[2].content[0];
    expect(toolResult).toMatchObject({ type: "tool_result", content: [{ type: "text", text: "18 °C, sunny" }] });
  });

  test("two tools in parallel both run before the next request", async () => {
    runtime.registerTool("get_weather", "Weather", weatherSchema, () => "sunny");
    runtime.registerTool("clock", "Current time", { type: "object", properties: {} }, () => ({ content: "12:00" }));
    const session = runtime.createSession();
    const result = await session.turn("Check the weather in Rome and the clock");
    expect(result.toolCalls).toBe(2);
    expect(result.text).toBe("get_weather returned: sunny. clock returned: 12:00.");
    const sent = (await simRequests()).at(-1)!;
    expect(sent.body.messages[2].content.map((c: { type: string }) => c.type)).toEqual(["tool_result", "tool_result"]);
  });

  test("a throwing handler becomes an error result, never a crash", async () => {
    runtime.registerTool("clock", "Current time", { type: "object" }, () => {
      throw new Error("clock is broken");
    });
    const session = runtime.createSession();
    const result = await session.turn("what does the clock say");
    expect(result.text).toBe("clock failed: Error: clock is broken.");
    const done = session.pollEvents().find((e) => e.type === "tool_execution_completed");
    expect(done).toMatchObject({ isError: true, result: "Error: clock is broken" });
    const sent = (await simRequests()).at(-1)!;
    expect(sent.body.messages[2].content[0].is_error).toBe(true);
  });

  test("non-JSON and odd handler results are reported to the model", async () => {
    const outputs: unknown[] = [() => 1, { a: 1 }, 42n, undefined, [{ type: "video" }]];
    let i = 0;
    runtime.registerTool("clock", "Current time", { type: "object" }, () => {
      const out = outputs[i++];
      return (Array.isArray(out) ? { content: out } : out) as never;
    });
    const session = runtime.createSession();
    const texts: string[] = [];
    for (let n = 0; n < outputs.length; n++) {
      await session.turn(`clock ${n}`);
      const done = session.pollEvents().find((e) => e.type === "tool_execution_completed") as { result: string; isError: boolean };
      texts.push(`${done.isError}:${done.result}`);
    }
    expect(texts[0]).toMatch(/^true:TOOL_RESULT_INVALID: tool clock returned function/);
    expect(texts[1]).toBe('false:{"a":1}');
    expect(texts[2]).toMatch(/^true:TOOL_RESULT_INVALID: .*bigint/);
    expect(texts[3]).toMatch(/^true:TOOL_RESULT_INVALID: .*undefined/);
    expect(texts[4]).toMatch(/^true:TOOL_RESULT_INVALID: .*tool result\[0\]/);
  });

  test("the stream consumer sees a call announced before its handler runs", async () => {
    const seen: string[] = [];
    runtime.registerTool("clock", "Current time", { type: "object" }, () => {
      seen.push("handler");
      return "noon";
    });
    const session = runtime.createSession();
    for await (const event of session.stream("what does the clock say [[sim:chunk=100000]]")) {
      if (event.type.startsWith("tool_")) seen.push(event.type);
    }
    expect(seen.slice(0, 3)).toEqual(["tool_call_requested", "tool_execution_started", "handler"]);
  });

  test("tools can be limited per session and unregistered", async () => {
    runtime.registerTool("clock", "Current time", { type: "object" }, () => "noon");
    runtime.registerTool("calc", "Calculator", { type: "object" }, () => "4");
    const session = runtime.createSession({ tools: ["calc"] });
    await session.turn("no tools needed marker-tools");
    const sent = (await simRequests()).find((r) => JSON.stringify(r.body).includes("marker-tools"))!;
    expect(sent.body.tools.map((t: { name: string }) => t.name)).toEqual(["calc"]);
    runtime.unregisterTool("clock");
    expect(() => runtime.unregisterTool("clock")).toThrow(expect.objectContaining({ code: "TOOL_NOT_FOUND" }));
  });
});

describe("streams", () => {
  test("stream() yields events as they come and exposes the result after", async () => {
    const session = runtime.createSession();
    const stream = session.stream("Summarise this [[sim:chunk=5,delay=2]]");
    expect(stream.sessionId).toBe(session.id);
    expect(() => stream.result).toThrow(expect.objectContaining({ code: "STREAM_NOT_CONSUMED" }));
    const seen: AgentEvent[] = [];
    for await (const event of stream) seen.push(event);
    expect(shape(seen)).toEqual([
      "run_started",
      "turn_started",
      "text_delta*",
      "text_complete",
      "turn_completed",
      "run_completed",
    ]);
    expect(stream.result.text).toBe("You said: Summarise this (1 messages in context)");
    expect(session.lastResult).toEqual(stream.result);
  });

  test("collect() and collectText()", async () => {
    const session = runtime.createSession();
    const result = await session.stream("one").collect();
    expect(result.text).toContain("one");
    const [text, second] = await session.stream("two").collectText();
    expect(text).toBe(second.text);
    expect(second.usage.outputTokens).toBeGreaterThan(0);
  });

  test("a failed run ends the stream with run_failed, then throws", async () => {
    const session = runtime.createSession();
    const stream = session.stream("fail please [[sim:error=401]]");
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of stream) seen.push(event.type);
      })(),
    ).rejects.toMatchObject({ code: "PROVIDER_AUTH" });
    expect(seen).toEqual(["run_started", "turn_started", "run_failed"]);
    expect(() => stream.result).toThrow(expect.objectContaining({ code: "PROVIDER_AUTH" }));
  });

  test("a stream can only be iterated once", async () => {
    const session = runtime.createSession();
    const stream = session.stream("once");
    await stream.collect();
    await expect(stream.collect()).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});

describe("provider errors", () => {
  const cases: Array<[string, string]> = [
    ["[[sim:error=429]]", "PROVIDER_RATE_LIMITED"],
    ["[[sim:error=401]]", "PROVIDER_AUTH"],
    ["[[sim:error=400]]", "PROVIDER_BAD_REQUEST"],
    ["[[sim:error=500]]", "PROVIDER_UNAVAILABLE"],
    ["[[sim:error=529]]", "PROVIDER_OVERLOADED"],
    ["[[sim:midstream=overloaded]]", "PROVIDER_OVERLOADED"],
    ["[[sim:truncate]]", "STREAM_TRUNCATED"],
  ];
  for (const [directive, code] of cases) {
    test(`${directive} rejects with ${code} and leaves the session usable`, async () => {
      const session = runtime.createSession({ retry: { maxRetries: 0 } });
      const error = await session.turn(`hello ${directive}`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toBeInstanceOf(MeerkatError);
      expect(error).toMatchObject({ code });
      const events = session.pollEvents();
      expect(events.at(-1)).toMatchObject({ type: "run_failed", sessionId: session.id });
      expect(session.turns).toBe(0); // a failed request is not a turn
      // The failed prompt was rolled back: the next turn starts clean.
      const next = await session.turn("again");
      expect(next.text).toBe("You said: again (1 messages in context)");
    });
  }

  test("an unreachable provider is a NETWORK_ERROR", async () => {
    const offline = await simRuntime({ anthropicBaseUrl: "http://127.0.0.1:9/anthropic", retry: { maxRetries: 0 } });
    try {
      await expect(offline.createSession().turn("hi")).rejects.toMatchObject({ code: "NETWORK_ERROR" });
    } finally {
      offline.destroy();
    }
  });

  test("the API key never appears in events or errors", async () => {
    const secret = "sk-ant-SECRET-DO-NOT-LEAK";
    const keyed = await simRuntime({ anthropicApiKey: secret });
    try {
      const session = keyed.createSession();
      const error = await session.turn("x [[sim:error=401]]").catch((e: Error) => e);
      const seen = JSON.stringify(session.pollEvents()) + String(error) + JSON.stringify(error);
      expect(seen).not.toContain(secret);
    } finally {
      keyed.destroy();
    }
  });
});

describe("lifecycle", () => {
  test("destroying a session mid-turn rejects the turn with CANCELLED", async () => {
    const session = runtime.createSession();
    // The run (and its request) is in flight as soon as turn() returns.
    const pending = session.turn("wait [[sim:hang]]");
    session.destroy();
    await expect(pending).rejects.toMatchObject({ code: "CANCELLED" });
    await expect(session.turn("again")).rejects.toMatchObject({ code: "SESSION_NOT_FOUND" });
    expect(runtime.listSessions().map((s) => s.sessionId)).not.toContain(session.id);
  });

  test("destroying the runtime rejects pending turns and later calls", async () => {
    const session = runtime.createSession();
    const pending = session.turn("wait [[sim:hang]]");
    runtime.destroy();
    await expect(pending).rejects.toMatchObject({ code: "RUNTIME_DESTROYED" });
    expect(() => runtime.createSession()).toThrow(expect.objectContaining({ code: "RUNTIME_DESTROYED" }));
    // The session is gone because its runtime is: the error says so.
    expect(() => session.pollEvents()).toThrow(expect.objectContaining({ code: "RUNTIME_DESTROYED", message: expect.stringMatching(/runtime was destroyed/) }));
    await expect(session.turn("again")).rejects.toMatchObject({ code: "RUNTIME_DESTROYED" });
    runtime.destroy(); // idempotent
  });

  test("a second concurrent turn is refused and the first one finishes", async () => {
    const session = runtime.createSession();
    const first = session.turn("first [[sim:delay=20,chunk=200]]");
    await expect(session.turn("second")).rejects.toMatchObject({ code: "SESSION_BUSY" });
    expect(() => session.stream("third")).toThrow(expect.objectContaining({ code: "SESSION_BUSY" }));
    expect((await first).text).toContain("first");
  });

  test("two runtimes on one page are independent", async () => {
    const other = await simRuntime();
    try {
      const a = runtime.createSession();
      const b = other.createSession();
      const [ra, rb] = await Promise.all([a.turn("from a"), b.turn("from b")]);
      expect(ra.text).toContain("from a");
      expect(rb.text).toContain("from b");
      expect(runtime.listSessions().map((s) => s.sessionId)).toEqual([a.id]);
      expect(other.listSessions().map((s) => s.sessionId)).toEqual([b.id]);
    } finally {
      other.destroy();
    }
  });

  test("a small event queue marks the gap with stream_truncated", async () => {
    const small = await simRuntime({ eventQueueCapacity: 10 });
    try {
      const session = small.createSession();
      await session.turn("[[sim:deltas=100]]");
      const events = session.pollEvents();
      expect(events.some((e) => e.type === "stream_truncated")).toBe(true);
      expect(events.at(-1)?.type).toBe("run_completed");
    } finally {
      small.destroy();
    }
  });
});
