/**
 * Hooks at the eight run points, against the real core and the simulated
 * provider: contexts, allow/deny/rewrite at each point, background hooks,
 * failure policies, timeouts, priorities and per-session hooks.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { AgentEvent, HookContext, HookPoint, MeerkatRuntime, RunResult } from "@rkat/web";
import { resetSim, simRequests, simRuntime } from "./support/runtime.js";
import { errorOf, gate, ofType, requestsWith, systemOf, until, weatherSchema } from "./support/features.js";

let runtime: MeerkatRuntime;

beforeEach(async () => {
  await resetSim();
  runtime = await simRuntime();
});
afterEach(() => runtime.destroy());

const POINTS: HookPoint[] = [
  "run_started",
  "run_completed",
  "run_failed",
  "pre_llm_request",
  "post_llm_response",
  "pre_tool_execution",
  "post_tool_execution",
  "turn_boundary",
];

interface DenialDetails {
  hookId: string;
  point: HookPoint;
  reasonCode: string;
  payload?: unknown;
}

/** get_weather, recording what its handler receives. */
function weatherTool(answer = "18 °C, sunny"): unknown[] {
  const calls: unknown[] = [];
  runtime.registerTool("get_weather", "Get the current weather for a city.", weatherSchema, (args) => {
    calls.push(args);
    return answer;
  });
  return calls;
}

/** Collect a session's events until one matches (for what lands after the run settled). */
async function eventuallyEvent(session: { pollEvents(): AgentEvent[] }, seen: AgentEvent[], match: (e: AgentEvent) => boolean) {
  return until(() => {
    seen.push(...session.pollEvents());
    return seen.find(match);
  });
}

describe("registration and contexts", () => {
  test("every point is called in run order with its context", async () => {
    weatherTool();
    const seen: HookContext[] = [];
    const ids = POINTS.map((point) => runtime.registerHook(point, (ctx) => void seen.push(ctx)));
    expect(new Set(ids).size).toBe(POINTS.length);
    for (const id of ids) expect(typeof id).toBe("string");

    const session = runtime.createSession({ systemPrompt: "Be brief.", maxTokens: 500, temperature: 0.5 });
    const result = await session.turn("What's the weather in Paris?");
    expect(result.text).toBe("get_weather returned: 18 °C, sunny.");

    expect(seen.map((c) => c.point)).toEqual([
      "run_started",
      "pre_llm_request",
      "post_llm_response",
      "pre_tool_execution",
      "post_tool_execution",
      "turn_boundary",
      "pre_llm_request",
      "post_llm_response",
      "run_completed",
    ]);
    const runId = seen[0]!.runId;
    for (const ctx of seen) {
      expect(ctx.sessionId).toBe(session.id);
      expect(ctx.runId).toBe(runId);
      expect(typeof ctx.turnNumber).toBe("number");
    }
    const byPoint = (point: HookPoint, n = 0) => seen.filter((c) => c.point === point)[n]!;

    expect(byPoint("run_started").prompt).toBe("What's the weather in Paris?");

    const request = byPoint("pre_llm_request").request!;
    expect(request).toEqual({
      model: "claude-sonnet-4-6",
      system: "Be brief.",
      messages: [{ role: "user", content: [{ type: "text", text: "What's the weather in Paris?" }] }],
      tools: [{ name: "get_weather", description: "Get the current weather for a city.", inputSchema: weatherSchema }],
      maxTokens: 500,
      temperature: 0.5,
    });
    // The second request carries the call and its result.
    expect(byPoint("pre_llm_request", 1).request!.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(byPoint("pre_llm_request", 1).turnNumber).toBeGreaterThan(byPoint("pre_llm_request").turnNumber);

    const response = byPoint("post_llm_response").response!;
    expect(response.text).toBe("Let me use get_weather.");
    expect(response.stopReason).toBe("tool_use");
    expect(response.toolCalls).toHaveLength(1);
    expect(response.toolCalls[0]).toMatchObject({ name: "get_weather", args: { location: "Paris" } });
    expect(response.usage.inputTokens).toBeGreaterThan(0);
    expect(response.usage.outputTokens).toBeGreaterThan(0);
    const callId = response.toolCalls[0]!.id;
    expect(byPoint("post_llm_response", 1).response).toMatchObject({
      text: "get_weather returned: 18 °C, sunny.",
      toolCalls: [],
      stopReason: "end_turn",
    });

    expect(byPoint("pre_tool_execution").toolCall).toEqual({ id: callId, name: "get_weather", args: { location: "Paris" } });
    expect(byPoint("post_tool_execution").toolResult).toEqual({
      id: callId,
      name: "get_weather",
      content: "18 °C, sunny",
      isError: false,
    });
    expect(byPoint("run_completed").result).toMatchObject({
      sessionId: session.id,
      text: result.text,
      turns: 2,
      toolCalls: 1,
      usage: result.usage,
    });

    // Each foreground call is announced and completed.
    const events = session.pollEvents();
    expect(ofType(events, "hook_started").map((e) => e.point)).toEqual(seen.map((c) => c.point));
    const completed = ofType(events, "hook_completed");
    expect(completed.map((e) => e.point)).toEqual(seen.map((c) => c.point));
    for (const e of completed) {
      expect(ids).toContain(e.hookId);
      expect(e.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(completed[0]!.hookId).toBe(ids[POINTS.indexOf("run_started")]);
  });

  test("run_failed sees the error", async () => {
    const seen: HookContext[] = [];
    runtime.registerHook("run_failed", (ctx) => void seen.push(ctx));
    const session = runtime.createSession();
    const error = await errorOf(session.turn("fail [[sim:error=400]]"));
    expect(error.code).toBe("PROVIDER_BAD_REQUEST");
    expect(seen).toHaveLength(1);
    expect(seen[0]!.error).toEqual({ code: "PROVIDER_BAD_REQUEST", message: error.message });
    expect(seen[0]!.sessionId).toBe(session.id);
  });

  test("a foreground hook holds the run: no request is sent before it answers", async () => {
    const answered = gate();
    let requestsWhileWaiting = -1;
    runtime.registerHook("pre_llm_request", async () => {
      requestsWhileWaiting = (await requestsWith("marker-hold")).length;
      answered.resolve();
    });
    const session = runtime.createSession();
    await session.turn("hold on marker-hold");
    await answered.promise;
    expect(requestsWhileWaiting).toBe(0);
    expect(await requestsWith("marker-hold")).toHaveLength(1);
  });

  test("an unregistered hook is not called again", async () => {
    const calls: string[] = [];
    const id = runtime.registerHook("run_started", (ctx) => void calls.push(ctx.prompt ?? ""));
    const session = runtime.createSession();
    await session.turn("one");
    runtime.unregisterHook(id);
    await session.turn("two");
    expect(calls).toEqual(["one"]);
    expect(() => runtime.unregisterHook(id)).toThrow(expect.objectContaining({ code: "HOOK_NOT_FOUND" }));
  });

  test("unregistering a hook the run waits on releases the run at once (as allow, whatever its policy)", async () => {
    const called = gate();
    const id = runtime.registerHook("pre_llm_request", () => { called.resolve(); return new Promise<never>(() => {}); }, { failurePolicy: "fail_closed", timeoutMs: 600_000 });
    const session = runtime.createSession();
    const turn = session.turn("held marker-unreg");
    await called.promise;
    runtime.unregisterHook(id);
    expect((await turn).text).toContain("held marker-unreg");
  });

  test("a hook that throws a value that cannot be printed fails (hook_failed) instead of hanging the run", async () => {
    runtime.registerHook("pre_llm_request", () => { throw Object.create(null); });
    const session = runtime.createSession();
    expect((await session.turn("still runs")).text).toContain("still runs");
    expect(ofType(session.pollEvents(), "hook_failed")[0]!.error).toMatch(/cannot be printed/);
  });

  test("higher priority runs first; ties in registration order", async () => {
    const order: string[] = [];
    runtime.registerHook("run_started", () => void order.push("a0"), { priority: 0 });
    runtime.registerHook("run_started", () => void order.push("b10"), { priority: 10 });
    runtime.registerHook("run_started", () => void order.push("c5"), { priority: 5 });
    runtime.registerHook("run_started", () => void order.push("d10"), { priority: 10 });
    runtime.registerHook("run_started", () => void order.push("e-3"), { priority: -3 });
    runtime.registerHook("run_started", () => void order.push("f"));
    await runtime.createSession().turn("order please");
    expect(order).toEqual(["b10", "d10", "c5", "a0", "f", "e-3"]);
  });

  test("a session hook sees only its own session", async () => {
    const a = runtime.createSession();
    const b = runtime.createSession();
    const seen: string[] = [];
    const id = a.registerHook("run_started", (ctx) => void seen.push(ctx.sessionId));
    expect(typeof id).toBe("string");
    await b.turn("from b");
    await a.turn("from a");
    expect(seen).toEqual([a.id]);
    runtime.unregisterHook(id);
    await a.turn("again");
    expect(seen).toEqual([a.id]);
  });

  test("a session hook can deny that session's runs only", async () => {
    const a = runtime.createSession();
    const b = runtime.createSession();
    a.registerHook("run_started", () => ({ decision: "deny", reasonCode: "closed", message: "session a is closed" }));
    expect((await errorOf(a.turn("x"))).code).toBe("HOOK_DENIED");
    expect((await b.turn("from b")).text).toBe("You said: from b (1 messages in context)");
  });
});

describe("deny", () => {
  test("at pre_tool_execution: the tool does not run and the model reads the message", async () => {
    const calls = weatherTool();
    const id = runtime.registerHook("pre_tool_execution", (ctx) =>
      ctx.toolCall?.name === "get_weather"
        ? { decision: "deny", reasonCode: "no_weather", message: "weather lookups are off today", payload: { retry: false } }
        : undefined,
    );
    const session = runtime.createSession();
    const result = await session.turn("What's the weather in Paris? marker-deny-tool");
    expect(calls).toEqual([]);
    expect(result.turns).toBe(2);
    expect(result.text).toMatch(/^get_weather failed: .*weather lookups are off today/);
    const events = session.pollEvents();
    expect(ofType(events, "hook_denied")).toEqual([
      expect.objectContaining({
        hookId: id,
        point: "pre_tool_execution",
        reasonCode: "no_weather",
        message: "weather lookups are off today",
        payload: { retry: false },
      }),
    ]);
    const completed = ofType(events, "tool_execution_completed")[0]!;
    expect(completed.isError).toBe(true);
    expect(completed.result).toContain("weather lookups are off today");
    const sent = (await requestsWith("marker-deny-tool")).at(-1)!.body;
    const toolResult = sent.messages[2].content[0];
    expect(toolResult.is_error).toBe(true);
    expect(JSON.stringify(toolResult.content)).toContain("weather lookups are off today");
    expect(events.at(-1)?.type).toBe("run_completed");
  });

  test("at run_started: HOOK_DENIED with details, nothing sent, the session stays usable", async () => {
    const id = runtime.registerHook("run_started", () => ({
      decision: "deny",
      reasonCode: "quota",
      message: "you are out of turns",
      payload: { left: 0, plan: "free" },
    }));
    const session = runtime.createSession();
    const error = await errorOf(session.turn("anything marker-deny-start"));
    expect(error.code).toBe("HOOK_DENIED");
    expect(error.message).toContain("you are out of turns");
    expect(error.details).toEqual({ hookId: id, point: "run_started", reasonCode: "quota", payload: { left: 0, plan: "free" } });
    expect(await requestsWith("marker-deny-start")).toHaveLength(0);
    const events = session.pollEvents();
    expect(ofType(events, "hook_denied")[0]).toMatchObject({ hookId: id, point: "run_started", reasonCode: "quota" });
    expect(events.at(-1)?.type).toBe("run_failed");

    runtime.unregisterHook(id);
    expect((await session.turn("now it works")).text).toBe("You said: now it works (1 messages in context)");
  });

  test("at pre_llm_request: the request is not sent", async () => {
    const id = runtime.registerHook("pre_llm_request", () => ({ decision: "deny", reasonCode: "offline", message: "no network" }));
    const session = runtime.createSession();
    const error = await errorOf(session.turn("hello marker-deny-pre"));
    expect(error.code).toBe("HOOK_DENIED");
    expect(error.details).toMatchObject({ hookId: id, point: "pre_llm_request", reasonCode: "offline" });
    expect(await requestsWith("marker-deny-pre")).toHaveLength(0);
  });

  test("at post_llm_response: the run fails after one request and its tools do not run", async () => {
    const calls = weatherTool();
    const id = runtime.registerHook("post_llm_response", () => ({ decision: "deny", reasonCode: "unsafe", message: "answer refused" }));
    const session = runtime.createSession();
    const error = await errorOf(session.turn("What's the weather in Paris? marker-deny-post"));
    expect(error.code).toBe("HOOK_DENIED");
    expect(error.details).toMatchObject({ hookId: id, point: "post_llm_response", reasonCode: "unsafe" });
    expect(await requestsWith("marker-deny-post")).toHaveLength(1);
    expect(calls).toEqual([]);
  });

  test("at turn_boundary: the tool ran, the next request is not sent", async () => {
    const calls = weatherTool();
    const id = runtime.registerHook("turn_boundary", () => ({ decision: "deny", reasonCode: "one_turn", message: "one turn only" }));
    const session = runtime.createSession();
    const error = await errorOf(session.turn("What's the weather in Paris? marker-deny-boundary"));
    expect(error.code).toBe("HOOK_DENIED");
    expect(error.details).toMatchObject({ hookId: id, point: "turn_boundary", reasonCode: "one_turn" });
    expect(calls).toEqual([{ location: "Paris" }]);
    expect(await requestsWith("marker-deny-boundary")).toHaveLength(1);
  });

  test("at run_completed: the result becomes a HOOK_DENIED failure", async () => {
    const id = runtime.registerHook("run_completed", (ctx) =>
      ctx.result?.text.includes("secret") ? { decision: "deny", reasonCode: "leak", message: "the answer leaks a secret" } : undefined,
    );
    const session = runtime.createSession();
    const error = await errorOf(session.turn("the secret is 42"));
    expect(error.code).toBe("HOOK_DENIED");
    expect(error.details).toMatchObject({ hookId: id, point: "run_completed", reasonCode: "leak" });
    const events = session.pollEvents();
    expect(events.at(-1)?.type).toBe("run_failed");
    expect(ofType(events, "run_completed")).toEqual([]);
    // Other answers pass.
    expect((await session.turn("nothing to hide")).text).toContain("nothing to hide");
  });

  test("at run_failed: the original error stands", async () => {
    const id = runtime.registerHook("run_failed", () => ({ decision: "deny", reasonCode: "ignored", message: "cannot change a failure" }));
    const session = runtime.createSession();
    const error = await errorOf(session.turn("fail [[sim:error=400]]"));
    expect(error.code).toBe("PROVIDER_BAD_REQUEST");
    expect(ofType(session.pollEvents(), "hook_denied")[0]).toMatchObject({ hookId: id, point: "run_failed" });
  });

  test("a deny answered without reasonCode or message still denies", async () => {
    runtime.registerHook("run_started", () => ({ decision: "deny" }) as never);
    const error = await errorOf(runtime.createSession().turn("x"));
    expect(error.code).toBe("HOOK_DENIED");
  });

  test("a deny whose reasonCode or message is not text is an invalid answer: hook_failed, then the failure policy", async () => {
    const id = runtime.registerHook("run_started", () => ({ decision: "deny", reasonCode: 5, message: 6 }) as never);
    const session = runtime.createSession();
    await session.turn("x"); // fail_open: allowed
    expect(ofType(session.pollEvents(), "hook_failed")[0]!.error).toMatch(/deny\.reasonCode must be a string/);
    runtime.unregisterHook(id);
    runtime.registerHook("run_started", () => ({ decision: "deny", reasonCode: "r", message: {} }) as never, { failurePolicy: "fail_closed" });
    expect((await errorOf(runtime.createSession().turn("x"))).details).toMatchObject({ reasonCode: "hook_failure" });
  });
});

describe("rewrite", () => {
  test("pre_llm_request: system, maxTokens and temperature as the provider receives them", async () => {
    const id = runtime.registerHook("pre_llm_request", () => ({
      decision: "rewrite",
      patch: { system: "You are a pirate.", maxTokens: 123, temperature: 0.25 },
    }));
    const session = runtime.createSession({ systemPrompt: "Be brief." });
    const result = await session.turn("ahoy marker-rw-req");
    expect(result.text).toBe("Arr! You said: ahoy marker-rw-req (1 messages in context)");
    const [sent] = await requestsWith("marker-rw-req");
    expect(systemOf(sent!.body)).toBe("You are a pirate.");
    expect(sent!.body.max_tokens).toBe(123);
    expect(sent!.body.temperature).toBe(0.25);
    expect(ofType(session.pollEvents(), "hook_rewrite_applied")).toEqual([
      expect.objectContaining({
        hookId: id,
        point: "pre_llm_request",
        patch: { system: "You are a pirate.", maxTokens: 123, temperature: 0.25 },
      }),
    ]);
  });

  test("pre_llm_request: messages replaced", async () => {
    runtime.registerHook("pre_llm_request", () => ({
      decision: "rewrite",
      patch: {
        messages: [
          { role: "user", content: [{ type: "text", text: "My name is Zed." }] },
          { role: "assistant", content: [{ type: "text", text: "Hello Zed." }] },
          { role: "user", content: [{ type: "text", text: "What is my name? marker-rw-msgs" }] },
        ],
      },
    }));
    const session = runtime.createSession();
    const result = await session.turn("something else entirely");
    expect(result.text).toBe("Your name is Zed.");
    const [sent] = await requestsWith("marker-rw-msgs");
    expect(sent!.body.messages).toHaveLength(3);
    expect(JSON.stringify(sent!.body.messages)).not.toContain("something else entirely");
  });

  test("a later hook of the chain sees the earlier rewrite", async () => {
    const seenSystems: Array<string | null> = [];
    runtime.registerHook("pre_llm_request", () => ({ decision: "rewrite", patch: { system: "first rewrite" } }), { priority: 2 });
    runtime.registerHook("pre_llm_request", (ctx) => void seenSystems.push(ctx.request!.system), { priority: 1 });
    await runtime.createSession({ systemPrompt: "original" }).turn("chain");
    expect(seenSystems).toEqual(["first rewrite"]);
  });

  test("pre_tool_execution: the handler receives the rewritten args", async () => {
    const calls = weatherTool();
    runtime.registerHook("pre_tool_execution", () => ({ decision: "rewrite", patch: { args: { location: "Oslo" } } }));
    const session = runtime.createSession();
    const result = await session.turn("What's the weather in Paris?");
    expect(calls).toEqual([{ location: "Oslo" }]);
    expect(result.text).toBe("get_weather returned: 18 °C, sunny.");
  });

  test("pre_tool_execution: rewritten args are validated again", async () => {
    const calls = weatherTool();
    runtime.registerHook("pre_tool_execution", () => ({ decision: "rewrite", patch: { args: { location: 7 } } }));
    const session = runtime.createSession();
    const result = await session.turn("What's the weather in Paris?");
    expect(calls).toEqual([]);
    const completed = ofType(session.pollEvents(), "tool_execution_completed")[0]!;
    expect(completed.isError).toBe(true);
    expect(completed.result).toMatch(/^TOOL_ARGS_INVALID: .*at \/location/);
    expect(result.text.startsWith("get_weather failed: TOOL_ARGS_INVALID")).toBe(true);
  });

  test("post_tool_execution: the model sees the new content and error flag", async () => {
    weatherTool();
    runtime.registerHook("post_tool_execution", (ctx) =>
      ctx.toolResult?.content === "18 °C, sunny"
        ? { decision: "rewrite", patch: { content: "station offline", isError: true } }
        : undefined,
    );
    const session = runtime.createSession();
    const result = await session.turn("What's the weather in Paris? marker-rw-post");
    expect(result.text).toBe("get_weather failed: station offline.");
    const sent = (await requestsWith("marker-rw-post")).at(-1)!.body;
    expect(sent.messages[2].content[0]).toMatchObject({
      type: "tool_result",
      is_error: true,
      content: [{ type: "text", text: "station offline" }],
    });
  });

  test("post_llm_response: result.text changes", async () => {
    runtime.registerHook("post_llm_response", () => ({ decision: "rewrite", patch: { text: "Patched answer." } }));
    const session = runtime.createSession();
    const result = await session.turn("say something");
    expect(result.text).toBe("Patched answer.");
    expect(session.text).toBe("Patched answer.");
    expect(ofType(session.pollEvents(), "hook_rewrite_applied")[0]).toMatchObject({
      point: "post_llm_response",
      patch: { text: "Patched answer." },
    });
  });
});

describe("background hooks", () => {
  test("a background rewrite is published, not applied", async () => {
    const called = gate<HookContext>();
    const id = runtime.registerHook(
      "pre_llm_request",
      (ctx) => {
        called.resolve(ctx);
        return { decision: "rewrite", patch: { system: "You are a pirate." } };
      },
      { mode: "background" },
    );
    const session = runtime.createSession({ systemPrompt: "Be brief." });
    const result = await session.turn("hello marker-bg");
    expect(result.text).toBe("You said: hello marker-bg (1 messages in context)");
    expect((await called.promise).point).toBe("pre_llm_request");
    const [sent] = await requestsWith("marker-bg");
    expect(systemOf(sent!.body)).toBe("Be brief.");

    const seen: AgentEvent[] = [];
    const published = await eventuallyEvent(session, seen, (e) => e.type === "hook_patch_published");
    expect(published).toMatchObject({ hookId: id, point: "pre_llm_request" });
    expect((published as { envelope: Record<string, unknown> }).envelope).toMatchObject({ patch: { system: "You are a pirate." } });
    expect(ofType(seen, "hook_rewrite_applied")).toEqual([]);
  });

  test("a background deny does not stop the run", async () => {
    const id = runtime.registerHook("run_started", () => ({ decision: "deny", reasonCode: "no", message: "no" }), {
      mode: "background",
    });
    const session = runtime.createSession();
    const result = await session.turn("still runs");
    expect(result.text).toBe("You said: still runs (1 messages in context)");
    const seen: AgentEvent[] = [];
    await eventuallyEvent(session, seen, (e) => e.type === "hook_completed" && e.hookId === id);
    expect(ofType(seen, "run_failed")).toEqual([]);
  });

  test("the run does not wait for a background hook that never answers", async () => {
    const called = gate();
    runtime.registerHook(
      "run_started",
      () => {
        called.resolve();
        return new Promise(() => {});
      },
      { mode: "background" },
    );
    const result: RunResult = await runtime.createSession().turn("no waiting");
    expect(result.text).toBe("You said: no waiting (1 messages in context)");
    await called.promise;
  });
});

describe("failures and timeouts", () => {
  test("a throwing hook fails open by default: hook_failed, the run goes on", async () => {
    const id = runtime.registerHook("pre_llm_request", () => {
      throw new Error("hook exploded");
    });
    const session = runtime.createSession();
    const result = await session.turn("carry on");
    expect(result.text).toBe("You said: carry on (1 messages in context)");
    const failed = ofType(session.pollEvents(), "hook_failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ hookId: id, point: "pre_llm_request" });
    expect(failed[0]!.error).toContain("hook exploded");
  });

  test("fail_closed turns a throw into a deny with reasonCode hook_failure", async () => {
    const id = runtime.registerHook(
      "pre_llm_request",
      () => {
        throw new Error("hook exploded");
      },
      { failurePolicy: "fail_closed" },
    );
    const session = runtime.createSession();
    const error = await errorOf(session.turn("stop here marker-fc"));
    expect(error.code).toBe("HOOK_DENIED");
    expect(error.details).toMatchObject({ hookId: id, point: "pre_llm_request", reasonCode: "hook_failure" });
    expect(await requestsWith("marker-fc")).toHaveLength(0);
    const events = session.pollEvents();
    expect(ofType(events, "hook_failed")[0]!.error).toContain("hook exploded");
    expect(ofType(events, "hook_denied")[0]).toMatchObject({ hookId: id, reasonCode: "hook_failure" });
  });

  test("a hook that times out, fail_closed: denied, nothing sent", async () => {
    const id = runtime.registerHook("pre_llm_request", () => new Promise(() => {}), {
      timeoutMs: 50,
      failurePolicy: "fail_closed",
    });
    const session = runtime.createSession();
    const error = await errorOf(session.turn("wait for me marker-hto"));
    expect(error.code).toBe("HOOK_DENIED");
    expect(error.details).toMatchObject({ hookId: id, point: "pre_llm_request", reasonCode: "hook_failure" });
    expect(await requestsWith("marker-hto")).toHaveLength(0);
    expect(ofType(session.pollEvents(), "hook_failed")).toHaveLength(1);
  });

  test("a hook that times out, fail_open: hook_failed, the run goes on", async () => {
    const id = runtime.registerHook("pre_tool_execution", () => new Promise(() => {}), { timeoutMs: 50 });
    const calls = weatherTool();
    const session = runtime.createSession();
    const result = await session.turn("What's the weather in Paris?");
    expect(calls).toEqual([{ location: "Paris" }]);
    expect(result.text).toBe("get_weather returned: 18 °C, sunny.");
    expect(ofType(session.pollEvents(), "hook_failed")).toEqual([expect.objectContaining({ hookId: id, point: "pre_tool_execution" })]);
  });

  test("a malformed answer counts as a failure", async () => {
    const id = runtime.registerHook("run_started", () => ({ decision: "perhaps" }) as never);
    const session = runtime.createSession();
    const result = await session.turn("odd answer");
    expect(result.text).toContain("odd answer");
    expect(ofType(session.pollEvents(), "hook_failed")).toEqual([expect.objectContaining({ hookId: id, point: "run_started" })]);
  });

  test("an answer JSON reads as nothing (a function, a symbol) is a failure, not an allow", async () => {
    const deny = () => ({ decision: "deny" as const, reasonCode: "policy", message: "no" });
    for (const answer of [deny, Symbol("deny")]) {
      // A helper returned uncalled must not let a fail_closed policy through.
      const id = runtime.registerHook("run_started", () => answer as never, { failurePolicy: "fail_closed" });
      const session = runtime.createSession();
      const error = await errorOf(session.turn("x marker-fn-answer"));
      expect(error.code).toBe("HOOK_DENIED");
      expect(error.details).toMatchObject({ hookId: id, reasonCode: "hook_failure" });
      expect(ofType(session.pollEvents(), "hook_failed")[0]!.error).toContain(`returned a ${typeof answer}`);
      runtime.unregisterHook(id);
    }
    expect(await requestsWith("marker-fn-answer")).toHaveLength(0);
  });

  test("rewrites are only taken where a point offers them", async () => {
    const id = runtime.registerHook("run_started", () => ({ decision: "rewrite", patch: { prompt: "other" } }), {
      failurePolicy: "fail_closed",
    });
    const error = await errorOf(runtime.createSession().turn("x marker-rw-bad"));
    expect(error.code).toBe("HOOK_DENIED");
    expect(error.details).toMatchObject({ hookId: id, reasonCode: "hook_failure" });
    expect((await simRequests()).filter((r) => JSON.stringify(r.body).includes("marker-rw-bad"))).toHaveLength(0);
  });
});
