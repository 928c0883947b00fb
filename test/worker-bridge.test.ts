/**
 * The Worker bridge over a real MessageChannel (the real RPC, real
 * structured clone); the Playwright suite runs it in a real Web Worker.
 */
import { afterEach, beforeEach, expect, test } from "vitest";
import { MeerkatError, SessionNotFoundError, type AgentEvent } from "@rkat/web";
import { connectRuntime, type WorkerRuntime } from "@rkat/web/worker";
import { resetSim, shape, workerPair } from "./support/runtime.js";

let channel: MessageChannel;
let runtime: WorkerRuntime;
let close: () => Promise<void>;

beforeEach(async () => {
  await resetSim();
  ({ runtime, channel, close } = await workerPair());
});
afterEach(() => close());

test("turn, events, history and getters across the bridge", async () => {
  const session = await runtime.createSession({ systemPrompt: "pirate" });
  const result = await session.turn("Hello worker");
  expect(result.text).toBe("Arr! You said: Hello worker (1 messages in context)");
  expect(session.text).toBe(result.text);
  expect(session.turns).toBe(1);
  expect(session.usage.outputTokens).toBe(result.usage.outputTokens);
  expect(shape(await session.pollEvents())).toEqual([
    "run_started",
    "turn_started",
    "text_delta*",
    "text_complete",
    "turn_completed",
    "run_completed",
  ]);
  expect((await session.history()).length).toBe(2);
  expect((await runtime.listSessions()).map((s) => s.sessionId)).toEqual([session.id]);
});

test("tools registered on the main thread run there", async () => {
  const seen: unknown[] = [];
  await runtime.registerTool(
    "get_weather",
    "Weather for a city",
    { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
    (args) => {
      seen.push(args);
      return { content: "sunny" };
    },
  );
  const session = await runtime.createSession();
  const result = await session.turn("weather in Oslo");
  expect(seen).toEqual([{ location: "Oslo" }]);
  expect(result.text).toBe("get_weather returned: sunny.");
  await runtime.unregisterTool("get_weather");
});

test("a main-thread tool that throws gives the model an error result", async () => {
  await runtime.registerTool("clock", "Time", { type: "object" }, () => {
    throw new Error("no clock here");
  });
  const session = await runtime.createSession();
  const result = await session.turn("read the clock");
  expect(result.text).toBe("clock failed: Error: no clock here.");
});

test("stream events arrive in batches, in order, before the result", async () => {
  const session = await runtime.createSession();
  const stream = session.stream("[[sim:deltas=2000,chunk=512]]");
  const events: AgentEvent[] = [];
  for await (const event of stream) events.push(event);
  expect(events[0]?.type).toBe("run_started");
  expect(events.at(-1)?.type).toBe("run_completed");
  const text = events.map((e) => (e.type === "text_delta" ? e.delta : "")).join("");
  expect(text).toBe(stream.result.text);
  expect(events.filter((e) => e.type === "text_delta").length).toBe(2000);
  expect(session.lastResult).toEqual(stream.result);
});

test("errors keep their class and code across the boundary", async () => {
  const session = await runtime.createSession();
  const error = await session.turn("x [[sim:error=429]]").catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MeerkatError);
  expect(error).toMatchObject({ name: "ProviderError", code: "PROVIDER_RATE_LIMITED" });
  await expect(runtime.createSession({ model: "llama" })).rejects.toMatchObject({ code: "UNSUPPORTED_MODEL" });
  await session.destroy();
  const gone = await session.turn("x").catch((e: unknown) => e);
  expect(gone).toBeInstanceOf(SessionNotFoundError);
});

test("counters are refreshed after a failed run, and calls are announced before they run", async () => {
  const session = await runtime.createSession({ retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 5 } });
  await session.turn("first");
  await expect(session.turn("fails [[sim:error=500]]")).rejects.toMatchObject({ code: "PROVIDER_UNAVAILABLE" });
  expect(session.turns).toBe(1);
  expect(session.lastResult.text).toContain("first");

  const seen: string[] = [];
  await runtime.registerTool("clock", "Time", { type: "object" }, () => {
    seen.push("handler");
    return "noon";
  });
  for await (const event of session.stream("the clock please")) {
    if (event.type.startsWith("tool_")) seen.push(event.type);
  }
  expect(seen.slice(0, 3)).toEqual(["tool_call_requested", "tool_execution_started", "handler"]);
});

test("bad arguments are refused on the main thread before crossing", async () => {
  const session = await runtime.createSession();
  await expect(runtime.registerTool("t", "d", { type: "object" }, "nope" as never)).rejects.toMatchObject({
    code: "INVALID_ARGUMENT",
  });
  await expect(runtime.createSession({ model: (() => 1) as never })).rejects.toMatchObject({ code: "INVALID_CONFIG" });
  await expect(session.turn(5 as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  expect(() => session.stream(null as never)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  await expect(connectRuntime({} as never, {})).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
});

test("a dying worker rejects pending calls instead of hanging", async () => {
  const session = await runtime.createSession();
  const pending = session.turn("wait [[sim:hang]]");
  channel.port2.dispatchEvent(new Event("error"));
  await expect(pending).rejects.toMatchObject({ code: "RUNTIME_TRAPPED" });
  await expect(runtime.createSession()).rejects.toMatchObject({ code: "RUNTIME_TRAPPED" });
});

test("after destroy, calls fail fast", async () => {
  await runtime.destroy();
  await expect(runtime.createSession()).rejects.toMatchObject({ code: "RUNTIME_DESTROYED" });
});
