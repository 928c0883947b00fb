/**
 * Bad input to every public method: a MeerkatError with a stable code and a
 * message saying what to fix, and nothing changed.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { MeerkatRuntime, SessionNotFoundError, type Session } from "@rkat/web";
import { refuses, rejects } from "./support/refusals.js";
import { resetSim, simRequests, simRuntime, wasm } from "./support/runtime.js";

let runtime: MeerkatRuntime;
let session: Session;

beforeEach(async () => {
  await resetSim();
  runtime = await simRuntime();
  session = runtime.createSession();
});
afterEach(() => runtime.destroy());

/** The runtime still works after the refusal. */
async function stillWorks(): Promise<void> {
  const result = await runtime.createSession().turn("still fine?");
  expect(result.text).toContain("still fine?");
}

describe("MeerkatRuntime.init", () => {
  test("refuses a missing or wrong wasm module", async () => {
    await rejects(() => MeerkatRuntime.init(undefined as never, {}), "INVALID_ARGUMENT", /module namespace/);
    await rejects(() => MeerkatRuntime.init({} as never, {}), "INVALID_ARGUMENT");
  });

  test("refuses bad configs with the field named", async () => {
    await rejects(() => MeerkatRuntime.init(wasm, null as never), "INVALID_CONFIG", /plain object/);
    await rejects(() => MeerkatRuntime.init(wasm, "claude" as never), "INVALID_CONFIG");
    await rejects(() => MeerkatRuntime.init(wasm, { antropicApiKey: "x" } as never), "INVALID_CONFIG", /antropicApiKey/);
    await rejects(() => MeerkatRuntime.init(wasm, { anthropicApiKey: 42 } as never), "INVALID_CONFIG", /anthropicApiKey must be a string/);
    await rejects(() => MeerkatRuntime.init(wasm, { anthropicBaseUrl: "localhost:3100" }), "INVALID_CONFIG", /anthropicBaseUrl/);
    await rejects(() => MeerkatRuntime.init(wasm, { maxTokens: -5 }), "INVALID_CONFIG", /maxTokens/);
    await rejects(() => MeerkatRuntime.init(wasm, { maxTokens: 1.5 }), "INVALID_CONFIG", /maxTokens/);
    await rejects(() => MeerkatRuntime.init(wasm, { model: "" }), "INVALID_CONFIG", /model/);
    await rejects(() => MeerkatRuntime.init(wasm, { model: (() => "x") as never }), "INVALID_CONFIG", /JSON data/);
    await rejects(() => MeerkatRuntime.init(wasm, {}, { fetch: 5 as never }), "INVALID_ARGUMENT", /fetch/);
  });

  test("accepts the legacy apiKey/baseUrl fields", async () => {
    const legacy = await MeerkatRuntime.init(wasm, { apiKey: "proxy", baseUrl: "http://127.0.0.1:9/anthropic" });
    expect(legacy.createSession({ model: "claude-sonnet-4-6" }).id).toMatch(/^[0-9a-f-]{36}$/);
    legacy.destroy();
  });
});

describe("createSession", () => {
  test("refuses bad session configs", () => {
    refuses(() => runtime.createSession(null as never), "INVALID_CONFIG");
    refuses(() => runtime.createSession([] as never), "INVALID_CONFIG");
    refuses(() => runtime.createSession({ model: 5 } as never), "INVALID_CONFIG", /model must be a string/);
    refuses(() => runtime.createSession({ model: "llama-3" }), "UNSUPPORTED_MODEL", /claude-/);
    refuses(() => runtime.createSession({ model: "gpt-5" }), "PROVIDER_NOT_CONFIGURED", /openaiApiKey/);
    refuses(() => runtime.createSession({ provider: "acme" } as never), "INVALID_CONFIG", /provider/);
    refuses(() => runtime.createSession({ apiKey: "k" } as never), "INVALID_CONFIG", /runtime config/);
    refuses(() => runtime.createSession({ baseUrl: "http://x" } as never), "INVALID_CONFIG", /runtime config/);
    refuses(() => runtime.createSession({ temperature: 7 }), "INVALID_CONFIG", /temperature/);
    refuses(() => runtime.createSession({ maxTurns: 0 }), "INVALID_CONFIG", /maxTurns/);
    refuses(() => runtime.createSession({ tools: ["nope"] }), "TOOL_NOT_FOUND", /nope/);
    refuses(() => runtime.createSession({ thinking: { budgetTokens: 10 } }), "INVALID_CONFIG", /budgetTokens/);
    refuses(() => runtime.createSession({ systemPrompt: 5 } as never), "INVALID_CONFIG");
    expect(runtime.listSessions().map((s) => s.sessionId)).toEqual([session.id]);
  });

  test("a runtime without a default model needs one per session", async () => {
    const bare = await MeerkatRuntime.init(wasm, { anthropicApiKey: "k" });
    refuses(() => bare.createSession(), "MODEL_REQUIRED", /model/);
    bare.destroy();
  });

  test("a session naming another provider than the default model's needs its own model", async () => {
    const both = await MeerkatRuntime.init(wasm, { anthropicApiKey: "k", geminiApiKey: "k", model: "claude-sonnet-4-6" });
    refuses(() => both.createSession({ provider: "gemini" }), "MODEL_REQUIRED", /provider gemini needs a model: the runtime's default, claude-sonnet-4-6,/);
    expect(both.createSession({ provider: "gemini", model: "gemini-2.5-flash" }).id).toEqual(expect.any(String));
    both.destroy();
  });
});

describe("registerTool", () => {
  const schema = { type: "object" as const };
  test("refuses bad tool definitions", async () => {
    refuses(() => runtime.registerTool(5 as never, "d", schema, () => ""), "INVALID_ARGUMENT", /name/);
    refuses(() => runtime.registerTool("bad name", "d", schema, () => ""), "INVALID_TOOL", /letters/);
    refuses(() => runtime.registerTool("x".repeat(65), "d", schema, () => ""), "INVALID_TOOL");
    refuses(() => runtime.registerTool("t", 5 as never, schema, () => ""), "INVALID_ARGUMENT", /description/);
    refuses(() => runtime.registerTool("t", "d", null as never, () => ""), "INVALID_ARGUMENT", /inputSchema/);
    refuses(() => runtime.registerTool("t", "d", { type: "string" } as never, () => ""), "INVALID_TOOL", /"object"/);
    refuses(() => runtime.registerTool("t", "d", schema, "nope" as never), "INVALID_ARGUMENT", /handler/);
    runtime.registerTool("t", "d", schema, () => "");
    refuses(() => runtime.registerTool("t", "d", schema, () => ""), "DUPLICATE_TOOL", /unregister/);
    refuses(() => runtime.unregisterTool("missing"), "TOOL_NOT_FOUND");
    refuses(() => runtime.unregisterTool(5 as never), "INVALID_ARGUMENT");
    await stillWorks();
  });
});

describe("session methods", () => {
  test("turn refuses bad prompts and changes nothing", async () => {
    await rejects(() => session.turn(42 as never), "INVALID_ARGUMENT", /string or an array/);
    await rejects(() => session.turn(undefined as never), "INVALID_ARGUMENT");
    await rejects(() => session.turn([]), "INVALID_ARGUMENT", /empty/);
    // Refused here, not by the provider after the run began.
    await rejects(() => session.turn(""), "INVALID_ARGUMENT", /session\.turn: prompt is empty/);
    refuses(() => session.stream(""), "INVALID_ARGUMENT", /session\.stream: prompt is empty/);
    await rejects(() => session.turn([{ type: "video" } as never]), "INVALID_ARGUMENT", /type/);
    await rejects(() => session.turn([{ type: "text" } as never]), "INVALID_ARGUMENT", /text/);
    await rejects(
      () => session.turn([{ type: "image", media_type: "image/bmp", data: "AA==" }]),
      "INVALID_ARGUMENT",
      /media_type/,
    );
    await rejects(
      () => session.turn([{ type: "image", media_type: "image/png", data: "data:image/png;base64,AA" }]),
      "INVALID_ARGUMENT",
      /base64/,
    );
    expect(session.pollEvents()).toEqual([]);
    expect(await session.history()).toEqual([]);
    expect((await session.turn("ok")).text).toBe("You said: ok (1 messages in context)");
  });

  test("an oversized prompt is refused", async () => {
    const small = await simRuntime({ maxPromptBytes: 1000 });
    const s = small.createSession();
    await rejects(() => s.turn("x".repeat(1001)), "PROMPT_TOO_LARGE", /maxPromptBytes/);
    expect((await s.turn("short")).text).toContain("short");
    small.destroy();
    const big = "y".repeat(5 * 1024 * 1024);
    await rejects(() => session.turn(big), "PROMPT_TOO_LARGE");
  });

  test("stream refuses synchronously", () => {
    refuses(() => session.stream(null as never), "INVALID_ARGUMENT");
  });

  test("a destroyed session refuses everything with SessionNotFoundError", async () => {
    session.destroy();
    session.destroy(); // idempotent
    const error = await session.turn("x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionNotFoundError);
    refuses(() => session.pollEvents(), "SESSION_NOT_FOUND", /destroyed/);
    refuses(() => session.stream("x"), "SESSION_NOT_FOUND");
    await rejects(() => session.history(), "SESSION_NOT_FOUND");
    await stillWorks();
  });
});

/** Nothing was sent to the provider since `count` requests. */
async function nothingSentSince(count: number): Promise<void> {
  expect((await simRequests()).length).toBe(count);
}

describe("hooks", () => {
  const noop = () => undefined;
  test("registerHook refuses unknown points, non-functions and bad options with INVALID_HOOK", async () => {
    refuses(() => runtime.registerHook("nowhere" as never, noop), "INVALID_HOOK", /run_started/);
    refuses(() => runtime.registerHook(5 as never, noop), "INVALID_HOOK");
    refuses(() => runtime.registerHook("run_started", "nope" as never), "INVALID_HOOK", /handler/);
    refuses(() => runtime.registerHook("run_started", undefined as never), "INVALID_HOOK", /handler/);
    refuses(() => runtime.registerHook("run_started", noop, "fast" as never), "INVALID_HOOK");
    refuses(() => runtime.registerHook("run_started", noop, [] as never), "INVALID_HOOK");
    refuses(() => runtime.registerHook("run_started", noop, { mode: "later" } as never), "INVALID_HOOK", /mode/);
    refuses(() => runtime.registerHook("run_started", noop, { failurePolicy: "maybe" } as never), "INVALID_HOOK", /failurePolicy/);
    refuses(() => runtime.registerHook("run_started", noop, { timeoutMs: 0 }), "INVALID_HOOK", /timeoutMs/);
    refuses(() => runtime.registerHook("run_started", noop, { timeoutMs: -5 }), "INVALID_HOOK", /timeoutMs/);
    refuses(() => runtime.registerHook("run_started", noop, { timeoutMs: 1.5 }), "INVALID_HOOK", /timeoutMs/);
    refuses(() => runtime.registerHook("run_started", noop, { priority: 1.5 }), "INVALID_HOOK", /priority/);
    refuses(() => runtime.registerHook("run_started", noop, { priority: "high" } as never), "INVALID_HOOK", /priority/);
    refuses(() => runtime.registerHook("run_started", noop, { when: "always" } as never), "INVALID_HOOK", /when/);
    refuses(() => runtime.registerHook("run_started", noop, { timeoutMs: (() => 1) as never }), "INVALID_HOOK");
    // The point is the argument; non-finite numbers are not "unset".
    refuses(() => runtime.registerHook("run_started", noop, { point: "run_failed" } as never), "INVALID_HOOK", /options.point/);
    refuses(() => session.registerHook("run_started", noop, { point: "run_failed" } as never), "INVALID_HOOK", /options.point/);
    refuses(() => runtime.registerHook("run_started", noop, { timeoutMs: Infinity }), "INVALID_HOOK", /timeoutMs must be a finite number/);
    refuses(() => runtime.registerHook("run_started", noop, { priority: NaN }), "INVALID_HOOK", /priority/);
    refuses(() => session.registerHook("nowhere" as never, noop), "INVALID_HOOK");
    refuses(() => session.registerHook("run_started", 42 as never), "INVALID_HOOK");
    refuses(() => runtime.unregisterHook("hook-999"), "HOOK_NOT_FOUND");
    refuses(() => runtime.unregisterHook(5 as never), "INVALID_ARGUMENT");

    // No hook was registered by any of them.
    await session.turn("no hooks");
    expect(session.pollEvents().filter((e) => e.type.startsWith("hook_"))).toEqual([]);
  });

  test("a destroyed session takes no hooks", () => {
    session.destroy();
    refuses(() => session.registerHook("run_started", noop), "SESSION_NOT_FOUND");
  });
});

describe("budgets", () => {
  test("createSession refuses bad budgets with INVALID_CONFIG", () => {
    const bad: unknown[] = [
      { tokens: -1 },
      { tokens: 0 },
      { durationMs: 0 },
      { toolCalls: 0 },
      { toolCalls: 1.5 },
      { tokens: "100" },
      { warnAtPercent: 0 },
      { warnAtPercent: 101 },
      { time: 5 },
      "lots",
      [],
    ];
    for (const budget of bad) {
      refuses(() => runtime.createSession({ budget: budget as never }), "INVALID_CONFIG");
    }
    refuses(() => runtime.createSession({ budget: { tokens: 0 } }), "INVALID_CONFIG", /tokens/);
    refuses(() => runtime.createSession({ budget: { time: 5 } as never }), "INVALID_CONFIG", /time/);
    expect(runtime.listSessions().map((s) => s.sessionId)).toEqual([session.id]);
  });

  test("turn refuses bad budgets before sending anything", async () => {
    const sent = (await simRequests()).length;
    await rejects(() => session.turn("x", { budget: { tokens: 0 } }), "INVALID_CONFIG", /tokens/);
    await rejects(() => session.turn("x", { budget: { toolCalls: -2 } }), "INVALID_CONFIG");
    await rejects(() => session.turn("x", { budget: { durationMs: 0 } }), "INVALID_CONFIG");
    await rejects(() => session.turn("x", { budget: { seconds: 5 } as never }), "INVALID_CONFIG", /seconds/);
    await rejects(() => session.turn("x", { budget: 5 as never }), "INVALID_CONFIG");
    await rejects(() => session.turn("x", { budgets: {} } as never), "INVALID_ARGUMENT", /budgets/);
    refuses(() => session.stream("x", { budget: { warnAtPercent: 500 } }), "INVALID_CONFIG", /warnAtPercent/);
    await nothingSentSince(sent);
    expect(session.pollEvents()).toEqual([]);
    expect(await session.history()).toEqual([]);
    await stillWorks();
  });
});

describe("tool options", () => {
  const schema = { type: "object" as const };
  test("bad toolTimeoutMs and readOnly in createSession", () => {
    for (const toolTimeoutMs of [0, -5, 1.5, "50", true]) {
      refuses(() => runtime.createSession({ toolTimeoutMs: toolTimeoutMs as never }), "INVALID_CONFIG");
    }
    refuses(() => runtime.createSession({ toolTimeoutMs: 0 }), "INVALID_CONFIG", /toolTimeoutMs/);
    refuses(() => runtime.createSession({ readOnly: "yes" as never }), "INVALID_CONFIG", /readOnly/);
    expect(runtime.listSessions().map((s) => s.sessionId)).toEqual([session.id]);
  });

  test("bad registerTool options register nothing", async () => {
    refuses(() => runtime.registerTool("t", "d", schema, () => "", { timeoutMs: 0 }), "INVALID_TOOL", /timeoutMs/);
    refuses(() => runtime.registerTool("t", "d", schema, () => "", { timeoutMs: -1 }), "INVALID_TOOL", /timeoutMs/);
    refuses(() => runtime.registerTool("t", "d", schema, () => "", { timeoutMs: 2.5 }), "INVALID_TOOL", /timeoutMs/);
    refuses(() => runtime.registerTool("t", "d", schema, () => "", { readOnly: "yes" } as never), "INVALID_TOOL", /readOnly/);
    refuses(() => runtime.registerTool("t", "d", schema, () => "", { retries: 3 } as never), "INVALID_TOOL", /retries/);
    refuses(() => runtime.registerTool("t", "d", schema, () => "", "fast" as never), "INVALID_ARGUMENT", /options/);
    // Options cannot replace the checked positional arguments.
    for (const key of ["name", "description", "inputSchema"]) {
      refuses(() => runtime.registerTool("t", "d", schema, () => "", { [key]: "other" } as never), "INVALID_TOOL", new RegExp(`options.${key}`));
    }
    refuses(() => runtime.registerTool("t", "d", schema, () => "", { timeoutMs: NaN }), "INVALID_TOOL", /timeoutMs/);
    // "t" was never registered: registering it now is not a duplicate, and no session saw it.
    runtime.registerTool("t", "d", schema, () => "", { timeoutMs: 10, readOnly: true });
    await session.turn("no tools marker-val-tools");
    await stillWorks();
  });
});

describe("skills", () => {
  const tone = { name: "tone", description: "How to write", content: "Always answer in haiku." };

  test("addSkillSource refuses malformed sources with INVALID_SKILL_SOURCE and adds nothing", async () => {
    const kept = runtime.addSkillSource({ sourceUuid: "kept", skills: [tone] });
    const before = runtime.listSkillSources();
    const bad: unknown[] = [
      null,
      "skills",
      [],
      {},
      { skills: "tone" },
      { skills: [{}] },
      { skills: [{ name: "empty", content: "" }] },
      { skills: [{ name: "blank", content: "   \n" }] },
      { skills: [{ content: "a skill without a name" }] },
      { skills: [{ name: "a/b", content: "slash in the name" }] },
      { skills: [{ name: "dup", content: "one" }, { name: "dup", content: "two" }] },
      { skills: [{ name: "x", content: "x", extra: true }] },
      { skills: [tone], colour: "blue" },
      { sourceUuid: "with/slash", skills: [tone] },
      { sourceUuid: "", skills: [tone] },
      { sourceUuid: "kept", skills: [tone] },
      { skills: [{ name: "fn", content: (() => "x") as never }] },
      { url: "ftp://127.0.0.1/index.json" },
      { url: "not a url" },
      { url: 5 },
      { url: "http://127.0.0.1:1/index.json", skills: [tone] },
    ];
    for (const source of bad) {
      await rejects(async () => runtime.addSkillSource(source as never), "INVALID_SKILL_SOURCE");
    }
    expect(runtime.listSkillSources()).toEqual(before);
    expect(kept.sourceUuid).toBe("kept");
  });

  test("remove refuses unknown sources", async () => {
    runtime.addSkillSource({ sourceUuid: "embedded", skills: [tone] });
    refuses(() => runtime.removeSkillSource("nope"), "SKILL_SOURCE_NOT_FOUND");
    refuses(() => runtime.removeSkillSource(5 as never), "INVALID_ARGUMENT");
    await rejects(() => runtime.refreshSkillSource(5 as never), "INVALID_ARGUMENT");
    expect(runtime.listSkillSources().map((s) => s.sourceUuid)).toEqual(["embedded"]);
  });

  test("refresh refuses unknown or embedded sources and leaves nothing pending", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const own = await simRuntime();
      own.addSkillSource({ sourceUuid: "embedded", skills: [tone] });
      await rejects(() => own.refreshSkillSource("nope"), "SKILL_SOURCE_NOT_FOUND");
      await rejects(() => own.refreshSkillSource("embedded"), "INVALID_SKILL_SOURCE", /embedded/);
      expect(own.listSkillSources().map((s) => s.sourceUuid)).toEqual(["embedded"]);
      // A refused call must not leave a waiter behind that rejects, unhandled, when the runtime goes.
      own.destroy();
      await new Promise<void>((resolve) => setImmediate(resolve));
      await new Promise<void>((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  test("bad or unknown skill references refuse before anything is sent", async () => {
    const { sourceUuid } = runtime.addSkillSource({ skills: [tone] });
    const sent = (await simRequests()).length;
    await rejects(() => session.turn("x", { skillRefs: [{ sourceUuid, skillName: "nope" }] }), "SKILL_NOT_FOUND", /nope/);
    await rejects(() => session.turn("x", { skillRefs: [{ sourceUuid: "missing", skillName: "tone" }] }), "SKILL_NOT_FOUND");
    await rejects(() => session.invokeSkill({ sourceUuid, skillName: "nope" }, "x"), "SKILL_NOT_FOUND");
    await rejects(() => session.turn("x", { skillRefs: "tone" as never }), "INVALID_ARGUMENT", /skillRefs/);
    await rejects(() => session.turn("x", { skillRefs: [5 as never] }), "INVALID_ARGUMENT");
    await rejects(() => session.invokeSkill(null as never, "x"), "INVALID_ARGUMENT");
    await rejects(() => session.turn("x", { skillRefs: [{ sourceUuid, skillName: "" }] }), "INVALID_ARGUMENT");
    await rejects(() => session.turn("x", { skillRefs: [{ sourceUuid, skillName: "tone", version: 2 } as never] }), "INVALID_ARGUMENT");
    await nothingSentSince(sent);
    expect(session.pollEvents()).toEqual([]);
    expect(await session.history()).toEqual([]);

    refuses(() => runtime.createSession({ preloadSkills: [{ sourceUuid, skillName: "nope" }] }), "SKILL_NOT_FOUND");
    refuses(() => runtime.createSession({ preloadSkills: "tone" as never }), "INVALID_CONFIG", /preloadSkills/);
    refuses(() => runtime.createSession({ skillTools: "yes" as never }), "INVALID_CONFIG", /skillTools/);
    expect(runtime.listSessions().map((s) => s.sessionId)).toEqual([session.id]);
    await stillWorks();
  });
});

describe("compaction", () => {
  test("createSession refuses bad compaction settings with INVALID_CONFIG", () => {
    const bad: unknown[] = [
      { thresholdTokens: 0 },
      { thresholdTokens: -1 },
      { thresholdTokens: 1.5 },
      { keepRecentTurns: 0 },
      { keepRecentTurns: -1 },
      { keepRecentTurns: 2.5 },
      { keepRecentTurns: "3" },
      { everyTurns: 5 },
      "auto",
      [],
    ];
    for (const compaction of bad) {
      refuses(() => runtime.createSession({ compaction: compaction as never }), "INVALID_CONFIG");
    }
    refuses(() => runtime.createSession({ compaction: { thresholdTokens: 0 } }), "INVALID_CONFIG", /thresholdTokens/);
    refuses(() => runtime.createSession({ compaction: { keepRecentTurns: 0 } }), "INVALID_CONFIG", /keepRecentTurns/);
    refuses(() => runtime.createSession({ compaction: { everyTurns: 5 } as never }), "INVALID_CONFIG", /everyTurns/);
    expect(runtime.listSessions().map((s) => s.sessionId)).toEqual([session.id]);
  });

  test("compact() refuses on a busy or destroyed session", async () => {
    const first = session.turn("first [[sim:delay=20,chunk=200]]");
    await rejects(() => session.compact(), "SESSION_BUSY");
    await first;
    expect(await session.history()).toHaveLength(2);
    session.destroy();
    await rejects(() => session.compact(), "SESSION_NOT_FOUND");
  });
});

describe("session API", () => {
  test("appendSystemContext refuses empty or non-string text and changes nothing", async () => {
    refuses(() => session.appendSystemContext(""), "INVALID_ARGUMENT", /empty/);
    refuses(() => session.appendSystemContext("   \n"), "INVALID_ARGUMENT", /empty/);
    refuses(() => session.appendSystemContext(5 as never), "INVALID_ARGUMENT");
    refuses(() => session.appendSystemContext(null as never), "INVALID_ARGUMENT");
    await session.turn("no extra context marker-val-asc");
    const [sent] = (await simRequests()).filter((r) => JSON.stringify(r.body).includes("marker-val-asc"));
    expect(sent!.body.system).toBeUndefined();
  });

  test("archive refuses a busy or destroyed session", async () => {
    const first = session.turn("first [[sim:delay=20,chunk=200]]");
    await rejects(() => session.archive(), "SESSION_BUSY");
    await first;
    expect((await session.turn("still open")).text).toContain("still open");
    session.destroy();
    await rejects(() => session.archive(), "SESSION_NOT_FOUND");
    refuses(() => session.appendSystemContext("x"), "SESSION_NOT_FOUND");
    await rejects(() => session.subscribeEvents(), "SESSION_NOT_FOUND");
  });

  test("deferred sessions refuse bad configs and bad first turns", async () => {
    refuses(() => runtime.createDeferredSession(null as never), "INVALID_CONFIG");
    refuses(() => runtime.createDeferredSession({ budget: { tokens: 0 } }), "INVALID_CONFIG");
    expect(runtime.listSessions().map((s) => s.sessionId)).toEqual([session.id]);
    const deferred = runtime.createDeferredSession();
    const sent = (await simRequests()).length;
    await rejects(() => deferred.startTurn(undefined as never), "INVALID_ARGUMENT");
    await rejects(() => deferred.startTurn("x", { bogus: 1 } as never), "INVALID_ARGUMENT", /bogus/);
    await rejects(() => deferred.startTurn("x", { budget: { tokens: 0 } }), "INVALID_CONFIG");
    expect(deferred.isStarted).toBe(false);
    await nothingSentSince(sent);
    expect((await deferred.startTurn("fine")).text).toBe("You said: fine (1 messages in context)");
  });

  test("requireCapability refuses a non-string id", () => {
    refuses(() => runtime.requireCapability(5 as never), "INVALID_ARGUMENT");
  });
});

describe("non-finite numbers", () => {
  // JSON turns NaN and Infinity into null, which the core reads as "unset":
  // they are refused with their path instead.
  test("are refused everywhere a number is taken, naming the field", async () => {
    await rejects(() => MeerkatRuntime.init(wasm, { maxTokens: NaN }), "INVALID_CONFIG", /config\.maxTokens must be a finite number/);
    await rejects(() => MeerkatRuntime.init(wasm, { retry: { maxRetries: Infinity } }), "INVALID_CONFIG", /config\.retry\.maxRetries/);
    const configs: Record<string, unknown>[] = [
      { maxTokens: Infinity }, { temperature: NaN }, { maxTurns: NaN }, { toolTimeoutMs: NaN },
      { budget: { tokens: NaN } }, { budget: { warnAtPercent: -Infinity } }, { retry: { maxDelayMs: NaN } },
      { compaction: { thresholdTokens: NaN } },
    ];
    for (const config of configs) {
      const field = Object.keys(config)[0]!;
      refuses(() => runtime.createSession(config as never), "INVALID_CONFIG", new RegExp(`createSession: config\\.${field}.* must be a finite number, got (NaN|-?Infinity)`));
    }
    await rejects(() => session.turn("x", { budget: { toolCalls: NaN } }), "INVALID_CONFIG", /options\.budget\.toolCalls must be a finite number/);
    expect(runtime.listSessions()).toHaveLength(1);
    expect(await simRequests()).toEqual([]);
  });
});

describe("invokeSkill", () => {
  test("checks its own options and names itself", async () => {
    const ref = { sourceUuid: "u", skillName: "s" };
    await rejects(() => session.invokeSkill(ref, "hi", 42 as never), "INVALID_ARGUMENT", /session\.invokeSkill: options must be a plain object/);
    await rejects(() => session.invokeSkill(ref, "hi", { skillRefs: 5 } as never), "INVALID_ARGUMENT", /invokeSkill: options\.skillRefs must be an array/);
    await rejects(() => session.invokeSkill(ref, "hi", { skillRefs: "ab" } as never), "INVALID_ARGUMENT", /invokeSkill: options\.skillRefs must be an array/);
    await rejects(() => session.invokeSkill(undefined as never, "hi"), "INVALID_ARGUMENT", /session\.invokeSkill: ref must be/);
    await rejects(() => session.invokeSkill(ref, ""), "INVALID_ARGUMENT", /session\.invokeSkill: prompt/);
    expect(await simRequests()).toEqual([]);
  });
});

describe("schemas", () => {
  test("schemas the core's validator cannot use are refused, naming the keyword", async () => {
    refuses(() => runtime.createSession({ outputSchema: { type: "banana" } }), "INVALID_CONFIG", /outputSchema is not a usable JSON Schema: \/type/);
    await rejects(() => session.turn("x", { outputSchema: { type: "object", required: "a" } }), "INVALID_CONFIG", /\/required/);
    refuses(() => runtime.registerTool("t", "d", { type: "object", properties: 5 } as never, () => ""), "INVALID_TOOL", /inputSchema is not a usable JSON Schema: \/properties/);
    expect(runtime.listSessions()).toHaveLength(1);
    await stillWorks();
  });
});
