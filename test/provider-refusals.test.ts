/**
 * Requests the real APIs refuse with a 400 that the core could once build:
 * each case goes through the real core and real fetch to the simulated
 * provider, which refuses them as the API does.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { MeerkatRuntime } from "@rkat/web";
import { allProvidersConfig, resetSim, simRequests, wasm } from "./support/runtime.js";

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==";

let runtime: MeerkatRuntime;

beforeAll(async () => {
  runtime = await MeerkatRuntime.init(wasm, allProvidersConfig());
  runtime.registerTool("get_weather", "Weather for a city", {
    type: "object",
    properties: { location: { type: "string" } },
    required: ["location"],
  }, ({ location }) => `sunny in ${String(location)}`);
});
afterAll(() => runtime.destroy());
beforeEach(() => resetSim());

/** Every request body the simulated Anthropic API received, parsed. */
async function anthropicBodies(): Promise<Array<{ messages: Array<{ role: string; content: Array<{ type: string; text?: string }> }> }>> {
  return (await simRequests()).filter((r) => r.path.startsWith("/anthropic/")).map((r) => r.body);
}

describe("Anthropic: text blocks of only whitespace (400 'text content blocks must contain non-whitespace text')", () => {
  test("a prompt's blank text beside an image is left out", async () => {
    const session = runtime.createSession({ model: "claude-sonnet-4-6" });
    const result = await session.turn([
      { type: "text", text: " \n" },
      { type: "image", media_type: "image/png", data: PNG },
    ]);
    expect(result.text).toMatch(/image/);
    const [body] = await anthropicBodies();
    expect(body!.messages[0]!.content.map((b) => b.type)).toEqual(["image"]);
  });

  test("an answer a post_llm_response hook made blank does not break the next turn", async () => {
    const session = runtime.createSession({ model: "claude-sonnet-4-6" });
    const hook = session.registerHook("post_llm_response", () => ({ decision: "rewrite", patch: { text: "\n\n" } }));
    await session.turn("first");
    runtime.unregisterHook(hook);
    const result = await session.turn("second");
    // The blank answer is left out, so the two prompts are one user message.
    expect(result.text).toBe("You said: first\nsecond (1 messages in context)");
    const bodies = await anthropicBodies();
    expect(bodies.at(-1)!.messages.map((m) => m.role)).toEqual(["user"]);
  });
});

describe("Gemini 3: a replayed call keeps its thoughtSignature (400 'Function call is missing a thought_signature')", () => {
  test("a tool loop on gemini-3 sends each call back with its signature", async () => {
    const session = runtime.createSession({ model: "gemini-3-flash-preview" });
    const result = await session.turn("What's the weather in Paris?");
    expect(result.text).toBe("get_weather returned: sunny in Paris.");
  });

  test("messages a pre_llm_request hook hands back keep the signatures (history() carries them)", async () => {
    const session = runtime.createSession({ model: "gemini-3-flash-preview" });
    session.registerHook("pre_llm_request", ({ request }) => ({ decision: "rewrite", patch: { messages: request!.messages } }));
    const result = await session.turn("What's the weather in Paris?");
    expect(result.text).toBe("get_weather returned: sunny in Paris.");
    const call = (await session.history())[1]!.content.find((p) => p.type === "tool_use");
    expect(call).toMatchObject({ type: "tool_use", name: "get_weather", signature: expect.any(String) });
  });
});
