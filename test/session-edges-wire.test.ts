/**
 * Wire edges of the four APIs as the simulated provider speaks them, read
 * by a session: one very long text delta, and UTF-8 characters cut across
 * one-byte network writes.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MeerkatRuntime, type SessionConfig, type TextDeltaEvent } from "@rkat/web";
import { allProvidersConfig, resetSim, wasm } from "./support/runtime.js";
import { ofType } from "./support/features.js";

const APIS: Array<{ name: string; session: SessionConfig }> = [
  { name: "anthropic", session: { model: "claude-sonnet-4-6" } },
  { name: "openai chat", session: { model: "gpt-4.1", openaiApi: "chat" } },
  { name: "openai responses", session: { model: "gpt-4.1", openaiApi: "responses" } },
  { name: "gemini", session: { model: "gemini-2.5-flash" } },
];

let runtime: MeerkatRuntime;

beforeAll(async () => {
  runtime = await MeerkatRuntime.init(wasm, allProvidersConfig());
});
afterAll(() => runtime.destroy());

for (const api of APIS) {
  describe(api.name, () => {
    test("a delta of 512 KiB arrives as one text_delta, whole", async () => {
      await resetSim();
      // The simulated answer echoes the prompt in word pieces: a run of blanks and the word after it is one piece.
      const blanks = " ".repeat(512 * 1024);
      const session = runtime.createSession(api.session);
      const [text, result] = await session.stream(`a${blanks}b`).collectText();
      expect(result.text).toBe(`You said: a${blanks}b (1 messages in context)`);
      expect(text).toBe(result.text);
      const deltas = ofType(session.pollEvents(), "text_delta");
      expect(deltas.map((d: TextDeltaEvent) => d.delta)).toContain(`${blanks}b`);
    });

    test("characters of 2, 3 and 4 bytes cut across one-byte network writes come whole", async () => {
      await resetSim();
      const session = runtime.createSession(api.session);
      const [text, result] = await session.stream("Grüße ☀️ 😀 日本語 [[sim:chunk=1]]").collectText();
      expect(result.text).toBe("You said: Grüße ☀️ 😀 日本語 (1 messages in context)");
      expect(text).toBe(result.text);
      expect(text).not.toContain("\uFFFD");
    });
  });
}
