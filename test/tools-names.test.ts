/**
 * Host tool names: what `registerTool` takes is what every provider takes
 * (Anthropic and OpenAI: `^[a-zA-Z0-9_-]{1,64}$`; Gemini also wants a
 * letter or `_` first), so one registered tool cannot make every request
 * of a provider's sessions fail; the same on the main thread and through
 * the Worker.
 */
import { describe, expect, test } from "vitest";
import { runtimePerTest, SIDES, type AnyRuntime } from "./support/mob.js";
import { allProvidersConfig } from "./support/runtime.js";

const MODELS = ["claude-sonnet-4-6", "gpt-5.2", "gemini-2.5-flash"];

for (const side of SIDES) {
  describe(side.name, () => {
    let runtime: AnyRuntime;
    runtimePerTest(side, (r) => (runtime = r));

    test("a name a provider would refuse is INVALID_TOOL, and nothing is registered", async () => {
      for (const name of ["1st_tool", "-dash", "9"]) {
        await expect(async () => runtime.registerTool(name, "d", { type: "object" }, () => "x")).rejects.toMatchObject({
          code: "INVALID_TOOL",
          message: expect.stringMatching(/start with a letter or '_'/),
        });
        await expect(async () => runtime.unregisterTool(name)).rejects.toMatchObject({ code: "TOOL_NOT_FOUND" });
      }
    });

    test("every name it takes works on every provider", async () => {
      const { runtime: all, close } = await side.open(allProvidersConfig());
      try {
        const names = ["_clock", "Clock-2", `c${"x".repeat(63)}`];
        for (const name of names) await all.registerTool(name, "The time", { type: "object" }, () => "noon");
        for (const model of MODELS) {
          const session = await all.createSession({ model });
          const result = await session.turn(`use ${names.join(" and ")}`);
          expect(result.toolCalls, model).toBe(3);
          expect(result.text, model).toContain("noon");
        }
      } finally {
        await close();
      }
    });
  });
}
