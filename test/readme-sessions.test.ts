/**
 * The README's session-API examples, from "Use it" to "Events,
 * subscriptions and the session API", run as written against the
 * simulated provider. Only the proxy's address differs, and the timers the
 * examples start are driven by the test (a local `setTimeout` /
 * `setInterval` that run their callback once, when the test says). A
 * last test checks that every line of those README blocks appears here.
 */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, expect, test } from "vitest";
import { MeerkatError, MeerkatRuntime, type RunResult, type Session } from "@rkat/web";
import { proxyUrl, resetSim, script, simRuntime, wasm } from "./support/runtime.js";

let runtime: MeerkatRuntime;
let session: Session;
beforeEach(async () => {
  await resetSim();
  runtime = await simRuntime({ openaiApiKey: "proxy", openaiBaseUrl: `${proxyUrl()}/openai/v1` });
  session = runtime.createSession();
});
afterEach(() => runtime.destroy());

/** Timers the test fires itself: `fire()` runs what was scheduled. */
function manualTimers() {
  const pending: Array<() => void> = [];
  const schedule = (callback: () => void) => pending.push(callback);
  return { schedule, fire: () => pending.splice(0).forEach((callback) => callback()) };
}

test("Use it", async () => {
  const base = proxyUrl();
  const document = { body: { innerText: "" } };
  {
    // ---- README: Use it ----
    const runtime = await MeerkatRuntime.init(wasm, {
      anthropicApiKey: "proxy",
      anthropicBaseUrl: `${base}/anthropic`,
      model: "claude-sonnet-4-6",
    });

    const session = runtime.createSession({ model: "claude-sonnet-4-6" });
    const result = await session.turn("Hello");
    console.log(result.text);

    for (const event of session.pollEvents()) {
      if (event.type === "text_delta") {
        document.body.innerText += event.delta;
      }
    }
    // ---- end ----
    expect(document.body.innerText).toBe(result.text);
    runtime.destroy();
  }
});

test("Streaming", async () => {
  const output = { text: "", append(delta: string) { this.text += delta; } };
  // ---- README: Streaming ----
  const stream = session.stream("Summarise this");
  for await (const event of stream) {
    if (event.type === "text_delta") output.append(event.delta);
  }
  console.log(stream.result.usage.outputTokens);

  const [fullText, result] = await session.stream("Again, shorter").collectText();
  // ---- end ----
  expect(output.text).toBe(stream.result.text);
  expect(fullText).toBe(result.text);
});

test("Tools", async () => {
  // ---- README: Tools ----
  runtime.registerTool(
    "get_weather",
    "Get the current weather for a city.",
    { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
    async ({ location }) => `18 °C and sunny in ${location}`,
  );
  const answer = await session.turn("What's the weather in Paris?");
  console.log(answer.toolCalls); // 1
  // ---- end ----
  expect(answer.toolCalls).toBe(1);
});

test("Providers", async () => {
  const base = proxyUrl();
  // ---- README: Providers ----
  const runtime = await MeerkatRuntime.init(wasm, {
    anthropicApiKey: "proxy", anthropicBaseUrl: `${base}/anthropic`,  // origin, no /v1
    openaiApiKey: "proxy", openaiBaseUrl: `${base}/openai/v1`,        // includes /v1
    geminiApiKey: "proxy", geminiBaseUrl: `${base}/gemini`,
  });
  const claude = runtime.createSession({ model: "claude-sonnet-4-6" });
  const gpt = runtime.createSession({ model: "gpt-4.1" });                          // Chat Completions
  const gptResponses = runtime.createSession({ model: "gpt-4.1", openaiApi: "responses" });
  const gemini = runtime.createSession({ model: "gemini-2.5-flash" });
  // ---- end ----
  for (const s of [claude, gpt, gptResponses, gemini]) expect((await s.turn("hi")).text).toContain("hi");
  runtime.destroy();
});

test("Retries and interrupt", async () => {
  const keys = { anthropicApiKey: "proxy", anthropicBaseUrl: `${proxyUrl()}/anthropic`, model: "claude-sonnet-4-6" };
  const timers = manualTimers();
  const setTimeout = (callback: () => void, _ms: number) => timers.schedule(callback);
  {
    // ---- README: Retries and interrupt ----
    const runtime = await MeerkatRuntime.init(wasm, {
      ...keys,
      retry: { maxRetries: 2, initialDelayMs: 500, maxDelayMs: 30000 },   // the defaults
    });
    // (the session, as in "Use it")
    const session = runtime.createSession();
    await script("[[sim:hang]]"); // the answer never comes: interrupt() ends the turn
    const turn = session.turn("Write a long story");
    setTimeout(() => session.interrupt(), 2000);
    timers.fire();
    const partial = await turn;   // resolves with what streamed so far; turn_completed says "cancelled"
    // ---- end ----
    const completed = session.pollEvents().filter((e) => e.type === "turn_completed");
    expect(completed.at(-1)).toMatchObject({ stopReason: "cancelled" });
    expect(partial.sessionId).toBe(session.id);
    runtime.destroy();
  }
});

test("Retries: the text a retry voids", async () => {
  const runtime = await simRuntime({ retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 5 } });
  const session = runtime.createSession();
  await script("midstream=overloaded"); // the first attempt streams some text, then fails
  // ---- README: Retries, textDiscarded ----
  let turnText = "";
  for await (const event of session.stream("Write a haiku")) {
    if (event.type === "turn_started" || (event.type === "retrying" && event.textDiscarded)) turnText = "";
    if (event.type === "text_delta") turnText += event.delta;
  }
  // ---- end ----
  expect(turnText).toBe(session.lastResult.text);
  expect(session.pollEvents().some((e) => e.type === "retrying" && e.textDiscarded)).toBe(true);
  runtime.destroy();
});

test("Images and structured output", async () => {
  const base64Png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
  // ---- README: Images and structured output ----
  await session.turn([
    { type: "text", text: "What is in this picture?" },
    { type: "image", media_type: "image/png", data: base64Png },
  ]);

  const schema = {
    type: "object",
    properties: { city: { type: "string" }, days: { type: "integer", minimum: 1 } },
    required: ["city", "days"],
  };
  const plan = await session.turn("Plan a short trip", { outputSchema: schema });
  plan.structuredOutput;   // { city: "Lisbon", days: 3 }
  plan.schemaWarnings;     // [] or [{ provider, path: "/days", message }]
  // ---- end ----
  expect(plan.structuredOutput).toMatchObject({ city: expect.any(String), days: expect.any(Number) });
  expect(plan.schemaWarnings).toEqual([]);
});

test("Hooks", async () => {
  const redact = (text: string) => text.replace(/sunny/g, "[redacted]");
  // ---- README: Hooks ----
  const hookId = runtime.registerHook("pre_tool_execution", (ctx) => {
    if (ctx.toolCall?.name === "delete_file") {
      return { decision: "deny", reasonCode: "policy", message: "deleting files is not allowed" };
    }
  });
  runtime.registerHook("pre_llm_request", ({ request }) => ({
    decision: "rewrite",
    patch: { system: `${request?.system ?? ""}\nAnswer in French.` },
  }), { priority: 10, timeoutMs: 2000, failurePolicy: "fail_closed" });
  session.registerHook("post_tool_execution", ({ toolResult }) => ({
    decision: "rewrite",
    patch: { content: redact(toolResult!.content) },
  }));
  runtime.unregisterHook(hookId);
  // ---- end ----
  runtime.registerTool("get_weather", "Weather", { type: "object", properties: { location: { type: "string" } } }, () => "sunny");
  const result = await session.turn("What's the weather in Paris?");
  expect(result.text).toContain("[redacted]");
});

test("Budgets, tool timeouts, read-only sessions", async () => {
  const schema = { type: "object" as const, properties: { query: { type: "string" } } };
  const search = async () => "found it";
  {
    // ---- README: Budgets, tool timeouts, read-only sessions ----
    const session = runtime.createSession({
      budget: { tokens: 50_000, durationMs: 60_000, toolCalls: 20, warnAtPercent: 80 },
      toolTimeoutMs: 10_000,
      readOnly: true,
    });
    runtime.registerTool("search", "Search the docs", schema, search, { timeoutMs: 3000, readOnly: true });
    try {
      await session.turn("Research this thoroughly", { budget: { toolCalls: 5 } }); // replaces the session's
    } catch (error) {
      if (error instanceof MeerkatError && error.code === "BUDGET_EXHAUSTED") {
        const { budgetType, used, limit, partial } = error.details as { budgetType: string; used: number; limit: number; partial: RunResult };
      }
    }
    // ---- end ----
    expect((await session.history()).length).toBeGreaterThan(0);
    expect((await session.turn("one more, with the session's budget")).text).toContain("one more");
  }
});

test("Skills", async () => {
  const index = { skills: [{ name: "tone", description: "Tone", content: "Be polite." }] };
  const fetchIndex: typeof fetch = async (input, init) =>
    String(input) === "https://example.com/skills/index.json" ? new Response(JSON.stringify(index)) : fetch(input, init);
  const runtime = await MeerkatRuntime.init(wasm, { anthropicApiKey: "proxy", anthropicBaseUrl: `${proxyUrl()}/anthropic`, model: "claude-sonnet-4-6" }, { fetch: fetchIndex });
  {
    // ---- README: Skills ----
    const { sourceUuid } = runtime.addSkillSource({
      name: "team",
      skills: [{ name: "email", description: "Extract emails", content: "List every address you find, one per line." }],
    });
    const remote = await runtime.addSkillSource({ url: "https://example.com/skills/index.json" });

    const session = runtime.createSession({ preloadSkills: [{ sourceUuid, skillName: "email" }] });
    await session.turn("Who wrote to us?", { skillRefs: [{ sourceUuid: remote.sourceUuid, skillName: "tone" }] });
    await session.invokeSkill({ sourceUuid, skillName: "email" }, "Here is the thread: ...");
    // ---- end ----
    expect(session.pollEvents().filter((e) => e.type === "skills_resolved")).toHaveLength(2);
  }
  runtime.destroy();
});

test("Compaction", async () => {
  {
    // ---- README: Compaction ----
    const session = runtime.createSession({ compaction: { thresholdTokens: 100_000, keepRecentTurns: 3 } });
    await session.compact();   // or on demand
    // ---- end ----
    expect(session.lastResult.turns).toBe(0);
  }
});

test("Events, subscriptions and the session API", async () => {
  const seen: unknown[] = [];
  const render = (events: unknown[]) => seen.push(...events);
  const model = "claude-sonnet-4-6";
  const timers = manualTimers();
  const setInterval = (callback: () => void, _ms: number) => timers.schedule(callback);
  const clearInterval = (_timer: unknown) => timers.fire(); // the last poll, before the close
  await session.turn("first");
  // ---- README: Events, subscriptions and the session API ----
  const sub = await session.subscribeEvents();
  const timer = setInterval(() => render(sub.poll()), 100);   // synchronous; since the last poll
  // ... later: stop polling, then close (poll() after close() throws)
  clearInterval(timer);
  sub.close();

  runtime.listSessions();                  // SessionInfo[]: sessionId, createdAt, updatedAt, messageCount, totalTokens, isActive
  const deferred = runtime.createDeferredSession({ model });  // the id is reserved now
  await deferred.startTurn("Hello");       // then deferred.session is a normal Session
  session.appendSystemContext("The user is on the pricing page.");  // from the next request on
  await session.archive();                 // history kept; a new turn fails with SESSION_ARCHIVED
  // ---- end ----
  timers.fire(); // nothing is left to poll a closed subscription
  expect(seen).toEqual([]); // subscribed after the first turn: nothing new yet
  expect(deferred.session.lastResult.text).toContain("Hello");
  await expect(session.turn("more")).rejects.toMatchObject({ code: "SESSION_ARCHIVED" });
});

test("every line of those README blocks is run above", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const part = readme.slice(readme.indexOf("## Use it"), readme.indexOf("### Mobs: several agents"));
  const mine = readFileSync(new URL(import.meta.url), "utf8");
  const blocks = [...part.matchAll(/```typescript\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks).toHaveLength(12);
  for (const line of blocks.flatMap((b) => b.split("\n"))) {
    // Only the proxy's address differs.
    const expected = line.trim().replace(/"http:\/\/localhost:3100([^"]*)"/g, "`${base}$1`");
    // (Imports are the file's own, at its top.)
    if (expected && !expected.startsWith("import ")) expect(mine, expected).toContain(expected);
  }
});
