/**
 * The agent-loop features across the Worker bridge (real MessageChannel,
 * the real RPC, real structured clone): hooks and tools run on this side as
 * proxies, subscriptions push batches, budgets/skills/compaction/deferred
 * sessions work through async mirrors, errors keep class, code and details.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { CapabilityUnavailableError, MeerkatError, SkillNotFoundError, type AgentEvent, type RunResult } from "@rkat/web";
import { WorkerDeferredSession, WorkerSession, type WorkerRuntime } from "@rkat/web/worker";
import { resetSim, simRequests, workerPair } from "./support/runtime.js";
import { errorOf, gate, ofType, requestsWith, systemOf, thrownBy, until, weatherSchema } from "./support/features.js";

let runtime: WorkerRuntime;
let close: () => Promise<void>;

beforeEach(async () => {
  await resetSim();
  ({ runtime, close } = await workerPair());
});
afterEach(() => close());

describe("events", () => {
  test("subscribeEvents pushes batches; pollEvents keeps its own cursor", async () => {
    const session = await runtime.createSession();
    const sub = await session.subscribeEvents();
    const result = await session.turn("hello subscribers [[sim:chunk=16]]");
    const got: AgentEvent[] = [];
    await until(() => {
      got.push(...sub.poll());
      return got.at(-1)?.type === "run_completed" ? true : undefined;
    });
    const polled = await session.pollEvents();
    expect(got).toEqual(polled);
    expect(got.map((e) => e.seq)).toEqual(got.map((_, i) => i + 1));
    expect(ofType(got, "run_completed")[0]!.result).toBe(result.text);
    sub.close();
    expect(sub.isClosed).toBe(true);
  });
});

describe("tools", () => {
  test("a main-thread handler that never settles times out; read-only sessions refuse other tools", async () => {
    await runtime.registerTool("slow", "A slow thing", { type: "object" }, () => new Promise(() => {}), { timeoutMs: 50 });
    const calls: string[] = [];
    await runtime.registerTool("save_note", "Save a note", { type: "object", properties: { text: { type: "string" } } }, () => {
      calls.push("save_note");
      return "saved";
    });
    const session = await runtime.createSession();
    const result = await session.turn("use the slow tool");
    expect(result.text).toBe('slow failed: TOOL_TIMEOUT: tool "slow" did not finish within 50 ms; its result will not arrive.');
    expect(ofType(await session.pollEvents(), "tool_execution_timed_out")).toEqual([
      expect.objectContaining({ name: "slow", timeoutMs: 50 }),
    ]);

    const readOnly = await runtime.createSession({ readOnly: true });
    const refused = await readOnly.turn('save_note "buy milk"');
    expect(calls).toEqual([]);
    expect(refused.text).toMatch(/^save_note failed: TOOL_NOT_ALLOWED: /);
  });

  test("arguments are validated before the main-thread handler runs", async () => {
    const calls: unknown[] = [];
    await runtime.registerTool("get_weather", "Weather", weatherSchema, (args) => {
      calls.push(args);
      return "sunny";
    });
    const session = await runtime.createSession({ toolTimeoutMs: 5000 });
    const result = await session.turn('weather please {"location": 5}');
    expect(calls).toEqual([]);
    expect(result.text).toMatch(/^get_weather failed: TOOL_ARGS_INVALID: .*at \/location/);
  });
});

describe("hooks", () => {
  test("hooks run on the main thread: contexts, deny and rewrite cross the bridge", async () => {
    const calls: unknown[] = [];
    await runtime.registerTool("get_weather", "Get the current weather for a city.", weatherSchema, (args) => {
      calls.push(args);
      return "sunny";
    });
    const points: string[] = [];
    const observer = await runtime.registerHook("pre_tool_execution", (ctx) => {
      points.push(`${ctx.point}:${ctx.toolCall?.name}:${JSON.stringify(ctx.toolCall?.args)}`);
      return { decision: "rewrite", patch: { args: { location: "Oslo" } } };
    });
    expect(typeof observer).toBe("string");
    await runtime.registerHook("post_llm_response", (ctx) =>
      ctx.response?.stopReason === "end_turn" ? { decision: "rewrite", patch: { text: `patched: ${ctx.response.text}` } } : undefined,
    );
    const session = await runtime.createSession();
    const result = await session.turn("What's the weather in Paris?");
    expect(points).toEqual(['pre_tool_execution:get_weather:{"location":"Paris"}']);
    expect(calls).toEqual([{ location: "Oslo" }]);
    expect(result.text).toBe("patched: get_weather returned: sunny.");
    expect(session.text).toBe(result.text);

    await runtime.unregisterHook(observer);
    await expect(runtime.unregisterHook(observer)).rejects.toMatchObject({ code: "HOOK_NOT_FOUND" });
  });

  test("a deny rejects with HOOK_DENIED and its details; a session hook stays with its session", async () => {
    const a = await runtime.createSession();
    const b = await runtime.createSession();
    const id = await a.registerHook("run_started", () => ({
      decision: "deny",
      reasonCode: "closed",
      message: "session a is closed",
      payload: { until: "monday" },
    }));
    const error = await errorOf(a.turn("let me in marker-wdeny"));
    expect(error).toBeInstanceOf(MeerkatError);
    expect(error.code).toBe("HOOK_DENIED");
    expect(error.details).toEqual({ hookId: id, point: "run_started", reasonCode: "closed", payload: { until: "monday" } });
    expect(await requestsWith("marker-wdeny")).toHaveLength(0);
    expect((await b.turn("from b")).text).toBe("You said: from b (1 messages in context)");
  });

  test("unregistering a page hook the run waits on releases the run at once; an answer JSON reads as nothing fails", async () => {
    const called = gate();
    const held = await runtime.registerHook(
      "pre_llm_request",
      () => {
        called.resolve();
        return new Promise<never>(() => {});
      },
      { failurePolicy: "fail_closed", timeoutMs: 600_000 },
    );
    const session = await runtime.createSession();
    const turn = session.turn("held marker-wunreg");
    await called.promise;
    await runtime.unregisterHook(held);
    expect((await turn).text).toContain("held marker-wunreg");

    const fn = await session.registerHook("run_started", () => (() => ({ decision: "deny" })) as never, { failurePolicy: "fail_closed" });
    const error = await errorOf(session.turn("x marker-wfn"));
    expect(error.details).toMatchObject({ hookId: fn, reasonCode: "hook_failure" });
    expect(await requestsWith("marker-wfn")).toHaveLength(0);
  });

  test("a main-thread hook that times out follows fail_closed", async () => {
    await runtime.registerHook("pre_llm_request", () => new Promise(() => {}), { timeoutMs: 50, failurePolicy: "fail_closed" });
    const session = await runtime.createSession();
    const error = await errorOf(session.turn("stuck marker-wto"));
    expect(error.code).toBe("HOOK_DENIED");
    expect(error.details).toMatchObject({ point: "pre_llm_request", reasonCode: "hook_failure" });
    expect(await requestsWith("marker-wto")).toHaveLength(0);
  });

  test("a background hook's rewrite is published, not applied", async () => {
    const called = gate();
    await runtime.registerHook(
      "pre_llm_request",
      () => {
        called.resolve();
        return { decision: "rewrite", patch: { system: "You are a pirate." } };
      },
      { mode: "background" },
    );
    const session = await runtime.createSession();
    const result = await session.turn("plain please");
    expect(result.text).toBe("You said: plain please (1 messages in context)");
    await called.promise;
    const seen: AgentEvent[] = [];
    const published = await until(async () => {
      seen.push(...(await session.pollEvents()));
      return seen.find((e) => e.type === "hook_patch_published");
    });
    expect(published).toMatchObject({ point: "pre_llm_request" });
  });

  test("bad registrations are refused before crossing", async () => {
    await expect(runtime.registerHook("nowhere" as never, () => undefined)).rejects.toMatchObject({ code: "INVALID_HOOK" });
    await expect(runtime.registerHook("run_started", "nope" as never)).rejects.toMatchObject({ code: "INVALID_HOOK" });
    await expect(runtime.registerHook("run_started", () => undefined, { mode: "later" } as never)).rejects.toMatchObject({
      code: "INVALID_HOOK",
    });
    const session = await runtime.createSession();
    await expect(session.registerHook("run_started", () => undefined, { timeoutMs: 0 })).rejects.toMatchObject({ code: "INVALID_HOOK" });
    expect((await session.turn("no hooks here")).text).toBe("You said: no hooks here (1 messages in context)");
  });
});

describe("budgets", () => {
  test("BUDGET_EXHAUSTED crosses with its details and partial result; the session stays usable", async () => {
    const calls: string[] = [];
    await runtime.registerTool("get_weather", "Weather", weatherSchema, () => {
      calls.push("get_weather");
      return "sunny";
    });
    await runtime.registerTool("clock", "Time", { type: "object", properties: {} }, () => {
      calls.push("clock");
      return "noon";
    });
    const session = await runtime.createSession();
    const error = await errorOf(session.turn("Check the weather in Rome and the clock", { budget: { toolCalls: 1 } }));
    expect(error.code).toBe("BUDGET_EXHAUSTED");
    const details = error.details as { budgetType: string; used: number; limit: number; partial: RunResult };
    expect(details).toMatchObject({ budgetType: "tool_calls", used: 1, limit: 1 });
    expect(details.partial).toMatchObject({ sessionId: session.id, turns: 1, toolCalls: 1 });
    expect(calls).toEqual(["get_weather"]);
    const warnings = ofType(await session.pollEvents(), "budget_warning");
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings[0]).toMatchObject({ budgetType: "tool_calls", limit: 1 });

    const bounded = await runtime.createSession({ budget: { tokens: 10 } });
    const tokens = await errorOf(bounded.turn("What's the weather in Oslo?"));
    expect((tokens.details as { budgetType: string }).budgetType).toBe("tokens");
    expect((await bounded.turn("ping")).turns).toBe(1);
  });
});

describe("skills", () => {
  test("sources, references, invokeSkill and SkillNotFoundError through the bridge", async () => {
    const { sourceUuid } = await runtime.addSkillSource({
      name: "house",
      skills: [{ name: "tone", description: "How to write", content: "Always answer in haiku." }],
    });
    expect(await runtime.listSkillSources()).toEqual([
      expect.objectContaining({ sourceUuid, name: "house", kind: "embedded", skills: [{ name: "tone", description: "How to write" }] }),
    ]);
    const session = await runtime.createSession({ preloadSkills: [{ sourceUuid, skillName: "tone" }] });
    await session.turn("hello marker-wsk1");
    expect(systemOf((await requestsWith("marker-wsk1"))[0]!.body)).toContain("Always answer in haiku.");
    expect(ofType(await session.pollEvents(), "skills_resolved")[0]!.skills).toEqual([`${sourceUuid}/tone`]);

    const plain = await runtime.createSession();
    await plain.invokeSkill({ sourceUuid, skillName: "tone" }, "spring marker-wsk2");
    expect(systemOf((await requestsWith("marker-wsk2"))[0]!.body)).toContain("Always answer in haiku.");

    const before = (await simRequests()).length;
    const missing = await errorOf(plain.turn("x", { skillRefs: [{ sourceUuid, skillName: "nope" }] }));
    expect(missing).toBeInstanceOf(SkillNotFoundError);
    expect(missing.code).toBe("SKILL_NOT_FOUND");
    const missingInvoke = await errorOf(plain.invokeSkill({ sourceUuid: "nowhere", skillName: "tone" }, "x"));
    expect(missingInvoke).toBeInstanceOf(SkillNotFoundError);
    expect((await simRequests()).length).toBe(before);

    await runtime.removeSkillSource(sourceUuid);
    expect(await runtime.listSkillSources()).toEqual([]);
    await expect(runtime.removeSkillSource(sourceUuid)).rejects.toMatchObject({ code: "SKILL_SOURCE_NOT_FOUND" });
  });

  test("skillTools: load_skill answered by the core in the worker", async () => {
    const { sourceUuid } = await runtime.addSkillSource({ skills: [{ name: "tone", description: "How to write", content: "Always answer in haiku." }] });
    const session = await runtime.createSession({ skillTools: true });
    const result = await session.turn(`use load_skill {"key":"${sourceUuid}/tone"}`);
    expect(result.text).toBe("load_skill returned: Always answer in haiku.");
  });
});

describe("compaction", () => {
  test("automatic and on-demand compaction through the bridge", async () => {
    const session = await runtime.createSession({ compaction: { thresholdTokens: 1, keepRecentTurns: 1 } });
    await session.turn("My name is Ada.");
    const answer = await session.turn("What is my name?");
    expect(answer.text).toBe("Your name is Ada.");
    const history = await session.history();
    expect(history).toHaveLength(3);
    const first = history[0]!.content[0]!;
    expect(first.type === "text" && first.text.startsWith("[Summary of the earlier conversation]\n")).toBe(true);
    expect(ofType(await session.pollEvents(), "compaction_completed")).toEqual([
      expect.objectContaining({ messagesBefore: 3, messagesAfter: 2 }),
    ]);

    const manual = await runtime.createSession();
    for (const prompt of ["one", "two", "three", "four"]) await manual.turn(prompt);
    await manual.compact();
    const compacted = await manual.history();
    expect(compacted).toHaveLength(7);
    const summary = compacted[0]!.content[0]!;
    expect(summary.type === "text" && summary.text.startsWith("[Summary of the earlier conversation]\n")).toBe(true);
  });
});

describe("session API", () => {
  test("createDeferredSession, listSessions, archive and appendSystemContext", async () => {
    const deferred = await runtime.createDeferredSession();
    expect(deferred).toBeInstanceOf(WorkerDeferredSession);
    expect(deferred.isStarted).toBe(false);
    expect((await runtime.listSessions()).map((s) => s.sessionId)).toEqual([deferred.id]);
    expect(thrownBy(() => deferred.session).code).toBe("INVALID_ARGUMENT");
    await expect(deferred.startTurn(5 as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(deferred.isStarted).toBe(false);

    const first = await deferred.startTurn("hello deferred");
    expect(first.text).toBe("You said: hello deferred (1 messages in context)");
    const session = deferred.session;
    expect(session).toBeInstanceOf(WorkerSession);
    expect(session.id).toBe(deferred.id);
    await expect(deferred.startTurn("again")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });

    await session.appendSystemContext("You are a pirate.");
    expect((await session.turn("ahoy")).text).toBe("Arr! You said: ahoy (3 messages in context)");
    await expect(session.appendSystemContext("")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });

    const [info] = await runtime.listSessions();
    expect(info).toMatchObject({ sessionId: session.id, messageCount: 4, isActive: false });

    await session.archive();
    await expect(session.turn("more")).rejects.toMatchObject({ code: "SESSION_ARCHIVED" });
    expect(await session.history()).toHaveLength(4);
  });

  test("capabilities and requireCapability are synchronous", () => {
    expect(Array.isArray(runtime.capabilities)).toBe(true);
    expect(runtime.capabilities.find((c) => c.id === "hooks")?.status).toBe("Available");
    expect(runtime.capabilities.find((c) => c.id === "shell")?.status).toBe("NotCompiled");
    expect(runtime.requireCapability("skills")).toBeUndefined();
    const error = thrownBy(() => runtime.requireCapability("mcp_stdio"));
    expect(error).toBeInstanceOf(CapabilityUnavailableError);
    expect(error.capabilityHint).toEqual({ capability_id: "mcp_stdio", message: error.message });
  });
});

test("a stream whose run_started hook answers while the turn starts still delivers every event", async () => {
  await runtime.registerHook("run_started", () => undefined);
  const session = await runtime.createSession();
  const events: AgentEvent[] = [];
  const stream = session.stream("hello with a hook");
  for await (const event of stream) events.push(event);
  expect(events.map((e) => e.type)).toContain("hook_completed");
  expect(events[0]?.type).toBe("run_started");
  expect(events.at(-1)?.type).toBe("run_completed");
});
