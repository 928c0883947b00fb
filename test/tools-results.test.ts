/**
 * What a tool handler's return value becomes when it is not JSON data
 * deep inside: content blocks holding a bigint, a cycle or a getter that
 * throws; a thrown object that is not an Error. The model gets an error
 * result that says why and the run goes on, the same on
 * the main thread and through the Worker (where the page converts the
 * answer before it sends it).
 */
import { describe, expect, test } from "vitest";
import type { AgentEvent, RunResult } from "@rkat/web";
import { ofType } from "./support/features.js";
import { runtimePerTest, SIDES, type AnyRuntime } from "./support/mob.js";

const cycle: Record<string, unknown> = { type: "text", text: "hi" };
cycle.self = cycle;

const BLOCKS: Array<[string, () => unknown, RegExp]> = [
  ["a bigint", () => ({ content: [{ type: "text", text: "hi", n: 5n }] }), /BigInt/],
  ["a cycle", () => ({ content: [cycle] }), /circular/],
  ["a getter that throws", () => ({ content: [{ type: "text", get text(): string { throw new Error("no text today"); } }] }), /no text today/],
];

for (const side of SIDES) {
  describe(side.name, () => {
    let runtime: AnyRuntime;
    runtimePerTest(side, (r) => (runtime = r));

    for (const [name, handler, why] of BLOCKS) {
      test(`content blocks holding ${name}: an error result naming why, the run goes on`, async () => {
        // The timeout only bounds a regression (a result that never reaches the core).
        await runtime.registerTool("clock", "Time", { type: "object" }, handler as never, { timeoutMs: 5000 });
        const session = await runtime.createSession();
        const result: RunResult = await session.turn("read the clock");
        const done = ofType((await session.pollEvents()) as AgentEvent[], "tool_execution_completed")[0]!;
        expect(done).toMatchObject({ name: "clock", isError: true });
        expect(done.result).toMatch(why);
        expect(result.text).toMatch(why);
        expect((await session.turn("hello again")).text).toContain("hello again");
      });
    }

    test("an object with a content field is read as { content, isError } (as the README warns); its JSON text is not", async () => {
      const file = { path: "notes.txt", content: "buy milk" };
      await runtime.registerTool("clock", "Time", { type: "object" }, () => file);
      const session = await runtime.createSession();
      expect((await session.turn("read the clock")).text).toBe("clock returned: buy milk.");
      await runtime.unregisterTool("clock");
      await runtime.registerTool("clock", "Time", { type: "object" }, () => JSON.stringify(file));
      expect((await session.turn("read the clock")).text).toBe(`clock returned: ${JSON.stringify(file)}.`);
    });

    test("a thrown object that is not an Error but has a message (as many libraries throw): the model reads the message", async () => {
      await runtime.registerTool("clock", "Time", { type: "object" }, () => Promise.reject({ status: 429, message: "quota exceeded" }));
      const session = await runtime.createSession();
      const result = await session.turn("read the clock");
      expect(result.text).toBe("clock failed: Error: quota exceeded.");
      expect(ofType((await session.pollEvents()) as AgentEvent[], "tool_execution_completed")[0]).toMatchObject({
        result: "Error: quota exceeded",
        isError: true,
      });
    });
  });
}
