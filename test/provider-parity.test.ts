/**
 * Provider parity: the same user-level scenario on the four wire APIs
 * (Anthropic Messages, OpenAI Chat Completions and Responses, Gemini),
 * through the public API, real fetch and the simulated provider. Where an
 * API cannot do something (OpenAI has no tool-error flag) the test says so.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { MeerkatRuntime, type AgentEvent, type SessionConfig } from "@rkat/web";
import { allProvidersConfig, resetSim, simRequests, wasm, workerPair } from "./support/runtime.js";

interface Api {
  name: string;
  session: SessionConfig;
  path: RegExp;
  /** Where the request carries the output-token limit. */
  maxTokens: (body: any) => unknown;
  /** The system prompt as the request carries it. */
  system: (body: any) => string;
  /** The directive that makes this API answer "overloaded". */
  overloaded: string;
  /** What its `error=400` is (the simulated Gemini's 400 is a bad key). */
  badRequest: string;
  /** What a 429 for an exhausted quota is: only OpenAI tells it from a rate limit. */
  quota: [code: string, retries: number];
}

const APIS: Api[] = [
  {
    name: "anthropic",
    session: { model: "claude-sonnet-4-6" },
    path: /^\/anthropic\/v1\/messages/,
    maxTokens: (b) => b.max_tokens,
    system: (b) => String(b.system ?? ""),
    overloaded: "error=529",
    badRequest: "PROVIDER_BAD_REQUEST",
    quota: ["PROVIDER_RATE_LIMITED", 2],
  },
  {
    name: "openai chat",
    session: { model: "gpt-4.1", openaiApi: "chat" },
    path: /^\/openai\/v1\/chat\/completions/,
    maxTokens: (b) => b.max_completion_tokens,
    system: (b) => b.messages.filter((m: any) => m.role === "system").map((m: any) => m.content).join("\n"),
    overloaded: "error=503",
    badRequest: "PROVIDER_BAD_REQUEST",
    quota: ["PROVIDER_QUOTA", 0],
  },
  {
    name: "openai responses",
    session: { model: "gpt-4.1", openaiApi: "responses" },
    path: /^\/openai\/v1\/responses/,
    maxTokens: (b) => b.max_output_tokens,
    system: (b) => String(b.instructions ?? ""),
    overloaded: "error=503",
    badRequest: "PROVIDER_BAD_REQUEST",
    quota: ["PROVIDER_QUOTA", 0],
  },
  {
    name: "gemini",
    session: { model: "gemini-2.5-flash" },
    path: /^\/gemini\//,
    maxTokens: (b) => b.generationConfig?.maxOutputTokens,
    system: (b) => (b.systemInstruction?.parts ?? []).map((p: any) => p.text).join("\n"),
    overloaded: "error=503",
    badRequest: "PROVIDER_AUTH",
    quota: ["PROVIDER_RATE_LIMITED", 2],
  },
];

let runtime: MeerkatRuntime;

beforeAll(async () => {
  runtime = await MeerkatRuntime.init(wasm, allProvidersConfig({ retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 50 } }));
  runtime.registerTool("get_weather", "Weather for a city", {
    type: "object",
    properties: { location: { type: "string" } },
    required: ["location"],
  }, ({ location }) => `sunny in ${String(location)}`);
  runtime.registerTool("clock", "The time", { type: "object", properties: {} }, () => {
    throw new Error("clock is broken");
  });
  runtime.registerTool("denied", "Says no", { type: "object", properties: {} }, () => ({ content: "nope", isError: true }));
  runtime.registerTool("blank", "Returns nothing", { type: "object", properties: {} }, () => "");
  runtime.registerTool("bulk", "Returns a lot", { type: "object", properties: {} }, () => "x".repeat(300_000));
});
afterAll(() => runtime.destroy());
beforeEach(() => resetSim());

const ofType = <T extends AgentEvent["type"]>(events: AgentEvent[], type: T) =>
  events.filter((e) => e.type === type) as Extract<AgentEvent, { type: T }>[];

for (const api of APIS) {
  describe(api.name, () => {
    const session = (extra: SessionConfig = {}) => runtime.createSession({ ...api.session, ...extra });
    const requests = async () => (await simRequests()).filter((r) => api.path.test(r.path));

    test("stop reasons: end of turn, max tokens, refusal; maxTokens is sent", async () => {
      const s = session({ maxTokens: 321 });
      await s.turn("plain");
      await s.turn("cut short [[sim:stop=max_tokens]]");
      await s.turn("refuse [[sim:stop=refusal]]");
      const stops = ofType(s.pollEvents(), "turn_completed").map((e) => e.stopReason);
      expect(stops).toEqual(["end_turn", "max_tokens", "content_filter"]);
      for (const r of await requests()) expect(api.maxTokens(r.body)).toBe(321);
    });

    test("usage per turn adds up to the session's", async () => {
      const s = session();
      const one = await s.turn("first question");
      const two = await s.turn("What is the weather in Oslo?");
      for (const u of [one.usage, two.usage]) {
        expect(u.inputTokens).toBeGreaterThan(0);
        expect(u.outputTokens).toBeGreaterThan(0);
      }
      const perTurn = ofType(s.pollEvents(), "turn_completed").map((e) => e.usage);
      expect(perTurn).toHaveLength(3);
      const sum = (k: "inputTokens" | "outputTokens") => perTurn.reduce((t, u) => t + u[k], 0);
      expect(one.usage.inputTokens + two.usage.inputTokens).toBe(sum("inputTokens"));
      expect(s.usage.inputTokens).toBe(sum("inputTokens"));
      expect(s.usage.outputTokens).toBe(sum("outputTokens"));
    });

    test("a tool error goes back flagged, or said in the text where the API has no flag", async () => {
      const s = session();
      const result = await s.turn("Use the clock and the denied");
      expect(result.toolCalls).toBe(2);
      const done = ofType(s.pollEvents(), "tool_execution_completed");
      expect(done.map((e) => [e.name, e.isError]).sort()).toEqual([["clock", true], ["denied", true]]);
      const sent = JSON.stringify((await requests()).at(-1)!.body);
      expect(sent).toContain("Error: clock is broken");
      if (api.name === "anthropic") expect(sent).toMatch(/"text":"nope"}\],"is_error":true/);
      if (api.name === "gemini") expect(sent).toContain('"response":{"error":"nope"}');
      if (api.name.startsWith("openai")) expect(sent).toContain('"Error: nope"');
    });

    test("parallel calls; empty and large tool results", async () => {
      const s = session();
      const result = await s.turn("Check the weather in Rome, the blank and the bulk");
      expect(result.toolCalls).toBe(3);
      expect(result.text).toContain("get_weather returned: sunny in Rome.");
      expect(result.text).toContain("bulk returned:");
    });

    test("structured output on invalid JSON", async () => {
      const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
      const s = session();
      const broken = await s.turn("no JSON [[sim:json=broken]]", { outputSchema: schema });
      expect(broken.structuredOutput).toBeUndefined();
      expect(broken.schemaWarnings?.[0]?.message).toMatch(/not valid JSON/);
    });

    test("system prompt and appended context reach the API's system slot", async () => {
      const s = session({ systemPrompt: "Be brief." });
      s.appendSystemContext("Speak like a pirate.");
      const result = await s.turn("hello");
      expect(result.text.startsWith("Arr! ")).toBe(true);
      const system = api.system((await requests()).at(-1)!.body);
      expect(system).toContain("Be brief.");
      expect(system).toContain("Speak like a pirate.");
    });

    test("compaction summarises on the session's own API", async () => {
      const s = session({ compaction: { keepRecentTurns: 1 } });
      await s.turn("My name is Ada.");
      await s.turn("What is the weather in Oslo?");
      await s.turn("Thanks.");
      await s.compact();
      const [done] = ofType(s.pollEvents(), "compaction_completed");
      expect(done).toMatchObject({ messagesAfter: expect.any(Number) });
      expect(done!.messagesAfter).toBeLessThan(done!.messagesBefore);
      const summary = (await requests()).at(-1)!;
      expect(api.system(summary.body)).toMatch(/Summarize the conversation/);
      expect((await s.turn("What is my name?")).text).toContain("Ada");
    });

    test("a token budget stops the run before the request after the tools", async () => {
      const s = session({ budget: { tokens: 5 } });
      const error = await s.turn("What is the weather in Oslo?").catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "BUDGET_EXHAUSTED", details: { budgetType: "tokens" } });
      expect(await requests()).toHaveLength(1);
      expect((await s.turn("hello", { budget: { tokens: 100_000 } })).text).toContain("hello");
    });

    const errors: Array<[string, string, number]> = [
      ["error=400", api.badRequest, 0],
      ["error=401", "PROVIDER_AUTH", 0],
      ["error=404", "PROVIDER_BAD_REQUEST", 0],
      ["error=429,retry-after=0", "PROVIDER_RATE_LIMITED", 2],
      ["error=429,quota,retry-after=0", ...api.quota],
      ["error=500", "PROVIDER_UNAVAILABLE", 2],
      [api.overloaded, "PROVIDER_OVERLOADED", 2],
      // A server error after the 200: on Responses, an `error` event whose code is null.
      ["midstream=api", "PROVIDER_UNAVAILABLE", 2],
      ["midstream=overloaded", "PROVIDER_OVERLOADED", 2],
      ["truncate", "STREAM_TRUNCATED", 2],
    ];
    for (const [directive, code, retries] of errors) {
      test(`${directive} → ${code} after ${retries} retries`, async () => {
        const s = session();
        const error = await s.turn(`fail [[sim:${directive}]]`).catch((e: unknown) => e);
        expect(error).toMatchObject({ code });
        expect(ofType(s.pollEvents(), "retrying")).toHaveLength(retries);
      });
    }
  });
}

test("through the Worker client: refusals and server errors after the 200 alike", async () => {
  const { runtime: remote, close } = await workerPair(allProvidersConfig({ retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 50 } }));
  try {
    for (const api of APIS) {
      const s = await remote.createSession(api.session);
      await s.turn("refuse [[sim:stop=refusal]]");
      const error = await s.turn("fail [[sim:midstream=api]]").catch((e: unknown) => e);
      const events = (await s.pollEvents()) as AgentEvent[];
      expect(ofType(events, "turn_completed")[0], api.name).toMatchObject({ stopReason: "content_filter" });
      expect(error, api.name).toMatchObject({ code: "PROVIDER_UNAVAILABLE" });
      expect(ofType(events, "retrying"), api.name).toHaveLength(1);
    }
  } finally {
    await close();
  }
});
