/**
 * Every wire API through the real core, real fetch and the simulated
 * provider: text, tools (one and two in parallel), errors and retries,
 * interrupt, images, structured output — with the body cut at random points.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { MeerkatRuntime, ProviderError, type RetryingEvent, type SessionConfig } from "@rkat/web";
import { allProvidersConfig, resetSim, script, simRequests, wasm } from "./support/runtime.js";

interface Api {
  name: string;
  session: SessionConfig;
  /** Path of the simulated endpoint, to find this API's requests in the log. */
  path: RegExp;
}

const APIS: Api[] = [
  { name: "anthropic", session: { model: "claude-sonnet-4-6" }, path: /^\/anthropic\/v1\/messages/ },
  { name: "openai chat", session: { model: "gpt-4.1", openaiApi: "chat" }, path: /^\/openai\/v1\/chat\/completions/ },
  { name: "openai responses", session: { model: "gpt-4.1", openaiApi: "responses" }, path: /^\/openai\/v1\/responses/ },
  { name: "gemini", session: { model: "gemini-2.5-flash" }, path: /^\/gemini\/v1beta\/models\/gemini-2\.5-flash:streamGenerateContent/ },
];

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==";
const weather = {
  type: "object" as const,
  properties: { location: { type: "string" } },
  required: ["location"],
};

let runtime: MeerkatRuntime;

beforeAll(async () => {
  runtime = await MeerkatRuntime.init(wasm, allProvidersConfig({ retry: { maxRetries: 2, initialDelayMs: 10, maxDelayMs: 100 } }));
  runtime.registerTool("get_weather", "Weather for a city", weather, ({ location }) => `sunny in ${String(location)}`);
  runtime.registerTool("clock", "The time", { type: "object", properties: {} }, () => "12:00");
  runtime.registerTool("snapshot", "Take a picture", { type: "object", properties: {} }, () => ({
    content: [
      { type: "text", text: "a picture" },
      { type: "image", media_type: "image/png", data: PNG },
    ],
  }));
});
afterAll(() => runtime.destroy());
beforeEach(() => resetSim());

for (const api of APIS) {
  describe(api.name, () => {
    const session = (extra: SessionConfig = {}) => runtime.createSession({ ...api.session, ...extra });
    const lastRequest = async () => (await simRequests()).filter((r) => api.path.test(r.path)).at(-1)!;

    test("text, streamed and cut at random network points", async () => {
      const s = session({ systemPrompt: "You are a pirate." });
      const [streamed, result] = await s.stream("Grüße ☀️ — 18 °C [[sim:split=random]]").collectText();
      expect(result.text).toBe("Arr! You said: Grüße ☀️ — 18 °C (1 messages in context)");
      expect(streamed).toBe(result.text);
      expect(result.usage.inputTokens).toBeGreaterThan(0);
      expect(result.usage.outputTokens).toBeGreaterThan(0);
      // The stream read through its own cursor: pollEvents still has every event.
      const events = s.pollEvents();
      expect(events.filter((e) => e.type === "text_delta").map((e) => (e as { delta: string }).delta).join("")).toBe(streamed);
      expect(events.at(-1)?.type).toBe("run_completed");
      expect((await lastRequest()).path).toMatch(api.path);
    });

    test("multi-turn memory", async () => {
      const s = session();
      await s.turn("My name is Ada.");
      expect((await s.turn("What is my name?")).text).toBe("Your name is Ada.");
    });

    test("one tool, then the answer", async () => {
      const s = session();
      const result = await s.turn("What is the weather in Oslo?");
      expect(result.toolCalls).toBe(1);
      expect(result.turns).toBe(2);
      expect(result.text).toBe("get_weather returned: sunny in Oslo.");
      const requested = s.pollEvents().find((e) => e.type === "tool_call_requested");
      expect(requested).toMatchObject({ name: "get_weather", args: { location: "Oslo" } });
    });

    test("two tools in parallel", async () => {
      const s = session();
      const result = await s.turn("Check the weather in Rome and the clock");
      expect(result.toolCalls).toBe(2);
      expect(result.text).toBe("get_weather returned: sunny in Rome. clock returned: 12:00.");
    });

    test("an image in the prompt", async () => {
      const s = session();
      const result = await s.turn([
        { type: "text", text: "Describe this" },
        { type: "image", media_type: "image/png", data: PNG },
      ]);
      expect(result.text).toContain("I see 1 image(s) (image/png)");
    });

    test("an image in a tool result travels in the provider's format", async () => {
      const s = session();
      const result = await s.turn("take a snapshot please");
      expect(result.toolCalls).toBe(1);
      expect(result.text).toContain("snapshot returned: a picture");
      const sent = JSON.stringify((await lastRequest()).body);
      expect(sent).toContain(PNG);
      expect(sent).toContain(api.name === "gemini" ? '"inlineData"' : api.name === "anthropic" ? '"source"' : "data:image/png;base64,");
    });

    test("structured output: valid, invalid and broken answers", async () => {
      const schema = {
        type: "object",
        properties: { city: { type: "string" }, days: { type: "integer" } },
        required: ["city", "days"],
      };
      const s = session();
      const ok = await s.turn("Plan a trip to Lisbon", { outputSchema: schema });
      expect(ok.structuredOutput).toMatchObject({ city: expect.any(String), days: expect.any(Number) });
      expect(ok.schemaWarnings).toEqual([]); // as the README shows: [] when the answer fits
      expect(s.structuredOutput).toEqual(ok.structuredOutput);

      const bad = await s.turn("Plan it badly [[sim:json=invalid]]", { outputSchema: schema });
      expect(bad.structuredOutput).toBeDefined();
      expect(bad.schemaWarnings!.length).toBeGreaterThan(0);
      expect(bad.schemaWarnings![0]!.provider).toBe(api.name.split(" ")[0]);

      const broken = await s.turn("Not JSON at all [[sim:json=broken]]", { outputSchema: schema });
      expect(broken.structuredOutput).toBeUndefined();
      expect(broken.schemaWarnings![0]!.message).toMatch(/not valid JSON/);
    });

    test("structured output whose root is not an object: a list, an enum, an anyOf", async () => {
      // OpenAI refuses such a root (the simulator as the API: a 400); it goes
      // there wrapped as {"value": ...} and comes back bare.
      const wraps = api.name.startsWith("openai");
      const sentSchema = async () => {
        const body = (await lastRequest()).body as Record<string, any>;
        if (api.name === "openai chat") return body.response_format.json_schema.schema;
        if (api.name === "openai responses") return body.text.format.schema;
        return undefined;
      };
      const s = session();
      const list = { type: "array", items: { type: "string" } };
      const listed = await s.turn("List three cities", { outputSchema: list });
      expect(Array.isArray(listed.structuredOutput)).toBe(true);
      expect(listed.schemaWarnings).toEqual([]);
      expect(JSON.parse(listed.text)).toEqual(listed.structuredOutput);
      const events = s.pollEvents();
      expect(events.find((e) => e.type === "text_complete")).toMatchObject({ content: listed.text });
      expect(events.at(-1)).toMatchObject({ type: "run_completed", result: listed.text });
      if (wraps) {
        expect(await sentSchema()).toEqual({ type: "object", properties: { value: list }, required: ["value"], additionalProperties: false });
      } else {
        const sent = JSON.stringify((await lastRequest()).body);
        expect(sent).toMatch(/array/);
        expect(sent).not.toContain('"value"');
      }

      const bad = await s.turn("List them badly [[sim:json=invalid]]", { outputSchema: list });
      expect(bad.schemaWarnings!.length).toBeGreaterThan(0);
      expect(bad.schemaWarnings![0]!.path).not.toMatch(/^\/value/);

      const mood = { type: "string", enum: ["up", "down"] };
      const felt = await s.turn("How is the market?", { outputSchema: mood });
      expect(felt.structuredOutput).toBe("up");
      expect(felt.text).toBe('"up"');
      expect(felt.schemaWarnings).toEqual([]);

      const either = { anyOf: [{ type: "integer" }, { type: "string" }] };
      const one = await s.turn("Pick one", { outputSchema: either });
      expect(["number", "string"]).toContain(typeof one.structuredOutput);
      expect(one.schemaWarnings).toEqual([]);
      if (wraps) expect((await sentSchema()).properties.value).toEqual(either);
    });

    test("a transient error is retried, a permanent one is not", async () => {
      await script("error=500");
      const s = session();
      const result = await s.turn("hello after a hiccup");
      expect(result.text).toContain("hello after a hiccup");
      const retrying = s.pollEvents().filter((e): e is RetryingEvent => e.type === "retrying");
      expect(retrying).toHaveLength(1);

      const denied = await session().turn("bad key [[sim:error=401]]").catch((e: unknown) => e);
      expect(denied).toBeInstanceOf(ProviderError);
      expect(denied).toMatchObject({ code: "PROVIDER_AUTH" });
    });

    test("a mid-stream failure is retried and the text is not duplicated", async () => {
      await script("midstream=overloaded");
      const s = session();
      const result = await s.turn("still here");
      expect(result.text).toBe("You said: still here (1 messages in context)");
    });

    test("rate limits are retried after the server's delay, then fail with a clear code", async () => {
      const s = session({ retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 2000 } });
      const error = await s.turn("slow down [[sim:error=429,retry-after=0]]").catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "PROVIDER_RATE_LIMITED", message: expect.stringMatching(/after 1 retries/) });
    });

    test("interrupt mid-stream", async () => {
      const s = session();
      const stream = s.stream("a long story [[sim:hang]]");
      for await (const event of stream) {
        // Text has streamed and the provider hangs: interrupt.
        if (event.type === "text_delta") await s.interrupt();
      }
      const result = stream.result;
      expect(result.text.length).toBeGreaterThan(0);
      expect("You said: a long story (1 messages in context)".startsWith(result.text)).toBe(true);
      expect(s.pollEvents().find((e) => e.type === "turn_completed")).toMatchObject({ stopReason: "cancelled" });
      expect((await s.turn("next")).text).toContain("next");
    });
  });
}

test("quota errors are permanent and named", async () => {
  const error = await runtime
    .createSession({ model: "gpt-4.1" })
    .turn("no money [[sim:error=429,quota]]")
    .catch((e: unknown) => e);
  expect(error).toMatchObject({ code: "PROVIDER_QUOTA" });
});

test("the provider is chosen from the model name, or explicitly", async () => {
  const explicit = runtime.createSession({ model: "my-fine-tune", provider: "openai" });
  expect((await explicit.turn("hi")).text).toContain("hi");
  expect((await simRequests()).at(-1)!.body.model).toBe("my-fine-tune");
  expect(() => runtime.createSession({ model: "claude-x", openaiApi: "responses" })).toThrow(
    expect.objectContaining({ code: "INVALID_CONFIG" }),
  );
});
