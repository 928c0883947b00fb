/**
 * Bad input to a session's turns, on the main thread and through the
 * Worker: refused with a stable code before the run starts, leaving the
 * session as it was (no event, no request, the same history), and the
 * next turn works.
 */
import { describe, expect, test } from "vitest";
import type { AgentEvent, HistoryMessage } from "@rkat/web";
import { resetSim, sessionSides, simRequests } from "./support/runtime.js";
import { errorOf } from "./support/features.js";

interface SessionLike {
  turn(prompt: unknown, options?: unknown): Promise<{ text: string }>;
  pollEvents(): AgentEvent[] | Promise<AgentEvent[]>;
  history(): Promise<HistoryMessage[]>;
}

const sides = sessionSides<SessionLike>();

const REFUSED: Array<[string, unknown, unknown, string]> = [
  ["an empty string", "", undefined, "INVALID_ARGUMENT"],
  ["no content blocks", [], undefined, "INVALID_ARGUMENT"],
  ["content blocks whose only text is empty", [{ type: "text", text: "" }], undefined, "INVALID_ARGUMENT"],
  ["two empty text blocks", [{ type: "text", text: "" }, { type: "text", text: "" }], undefined, "INVALID_ARGUMENT"],
  // Anthropic refuses a blank text block (400), and only after the run began.
  ["a blank string", " \n\t ", undefined, "INVALID_ARGUMENT"],
  ["content blocks whose text is blank", [{ type: "text", text: "  " }, { type: "text", text: "\n" }], undefined, "INVALID_ARGUMENT"],
  ["a block of no known type", [{ type: "audio", data: "x" }], undefined, "INVALID_ARGUMENT"],
  ["a number", 42, undefined, "INVALID_ARGUMENT"],
  ["an unknown option", "hi", { temperature: 1 }, "INVALID_ARGUMENT"],
  ["a budget of the wrong type", "hi", { budget: 5 }, "INVALID_CONFIG"],
  ["a budget with an unknown field", "hi", { budget: { time: 5 } }, "INVALID_CONFIG"],
  ["a skill of no source", "hi", { skillRefs: [{ sourceUuid: "nope", skillName: "x" }] }, "SKILL_NOT_FOUND"],
];

for (const side of sides) {
  describe(side.name, () => {
    test("each refused turn changes nothing: no event, no request, the same history", async () => {
      await resetSim();
      const session = await side.session();
      await session.turn("My name is Ada.");
      await session.pollEvents();
      const history = await session.history();
      await resetSim();
      for (const [what, prompt, options, code] of REFUSED) {
        const error = await errorOf(() => session.turn(prompt, options));
        expect(error.code, what).toBe(code);
        expect(await session.pollEvents(), what).toEqual([]);
        expect(await session.history(), what).toEqual(history);
      }
      expect(await simRequests()).toEqual([]);
      expect((await session.turn("What is my name?")).text).toBe("Your name is Ada.");
    });
  });
}
