/**
 * `tool_config_changed`: registering or unregistering a host tool tells
 * each session that offers it (all of them, or those whose `tools` list
 * names it), on the main thread and through the Worker, where a
 * subscription gets it without a run to carry it.
 */
import { describe, expect, test } from "vitest";
import type { AgentEvent, ToolConfigChangedEvent } from "@rkat/web";
import { until, weatherSchema } from "./support/features.js";
import { runtimePerTest, SIDES, type AnyRuntime } from "./support/mob.js";

const changed = (operation: "add" | "remove", appliedAtTurn: number) => ({
  type: "tool_config_changed",
  payload: { operation, target: "get_weather", status: "applied", persisted: false, appliedAtTurn },
});

const ofType = (events: AgentEvent[]): ToolConfigChangedEvent[] =>
  events.filter((e): e is ToolConfigChangedEvent => e.type === "tool_config_changed");

for (const side of SIDES) {
  describe(side.name, () => {
    let runtime: AnyRuntime;
    runtimePerTest(side, (r) => (runtime = r));

    test("each session that offers the tool is told of its registration and removal; others are not", async () => {
      await runtime.registerTool("clock", "The time", { type: "object" }, () => "noon");
      const all = await runtime.createSession();
      const clockOnly = await runtime.createSession({ tools: ["clock"] });
      const sub = await all.subscribeEvents();

      await runtime.registerTool("get_weather", "Weather for a city", weatherSchema, () => "sunny");
      expect(ofType(await all.pollEvents())).toMatchObject([changed("add", 1)]);
      expect(ofType(await clockOnly.pollEvents())).toEqual([]);
      // A subscription sees it too, with no run to carry it.
      const pushed = await until(() => {
        const events = ofType(sub.poll());
        return events.length > 0 ? events : undefined;
      });
      expect(pushed).toMatchObject([changed("add", 1)]);

      await runtime.unregisterTool("get_weather");
      expect(ofType(await all.pollEvents())).toMatchObject([changed("remove", 1)]);
      expect(ofType(await clockOnly.pollEvents())).toEqual([]);
    });

    test("a refused registration or removal tells nobody", async () => {
      await runtime.registerTool("get_weather", "Weather for a city", weatherSchema, () => "sunny");
      const session = await runtime.createSession();
      await expect(async () => runtime.registerTool("get_weather", "Again", weatherSchema, () => "rain")).rejects.toMatchObject({
        code: "DUPLICATE_TOOL",
      });
      await expect(async () => runtime.unregisterTool("nothing")).rejects.toMatchObject({ code: "TOOL_NOT_FOUND" });
      expect(ofType(await session.pollEvents())).toEqual([]);
    });
  });
}
