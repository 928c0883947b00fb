/**
 * Bad input to every public method: a MeerkatError with a stable code and a
 * message saying what to fix, and nothing changed.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ERROR_CODES, MeerkatError, MeerkatRuntime, SessionNotFoundError, type Session } from "@rkat/web";
import { resetSim, simRuntime, wasm } from "./support/runtime.js";

let runtime: MeerkatRuntime;
let session: Session;

beforeEach(async () => {
  await resetSim();
  runtime = await simRuntime();
  session = runtime.createSession();
});
afterEach(() => runtime.destroy());

/** Assert a sync call throws a MeerkatError with `code` whose message mentions `hint`. */
function refuses(call: () => unknown, code: string, hint?: RegExp): void {
  let caught: unknown;
  try {
    call();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(MeerkatError);
  const error = caught as MeerkatError;
  expect(error.code).toBe(code);
  expect(ERROR_CODES).toContain(error.code);
  expect(error.message.length).toBeGreaterThan(10);
  if (hint) expect(error.message).toMatch(hint);
}

async function rejects(call: () => Promise<unknown>, code: string, hint?: RegExp): Promise<void> {
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(MeerkatError);
  expect((error as MeerkatError).code).toBe(code);
  if (hint) expect((error as MeerkatError).message).toMatch(hint);
}

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
