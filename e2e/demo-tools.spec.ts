/** Tools registered from the page run on the main thread, called by the runtime in the Worker. */
import { expect, test } from "@playwright/test";
import { demoState, finalText, lastRunEventTypes, openDemo, sendAndWait } from "./helpers.js";

test("the model calls the calculator, which runs on the main thread", async ({ page }) => {
  await openDemo(page);
  // The simulator calls a tool named in the prompt, with the prompt's JSON object as arguments.
  const reply = await sendAndWait(page, 'Use the calculator for this: {"expression": "2+3*4"}');

  // The handler ran on the page (window.rkatDemo lives on the main thread), once.
  const { toolRuns } = await demoState(page);
  expect(toolRuns).toEqual([{ name: "calculator", args: { expression: "2+3*4" }, result: "2+3*4 = 14", isError: false, thread: "main" }]);

  // The reply: a preamble, the tool chip, then the model's report of the result.
  await expect(reply.locator(".tool")).toHaveCount(1);
  await expect(reply.locator(".tool")).toHaveAttribute("data-state", "done");
  await expect(reply.locator(".tool .tool-result")).toContainText("2+3*4 = 14");
  expect(await finalText(reply)).toBe("calculator returned: 2+3*4 = 14.");
  await expect(reply).toHaveAttribute("data-final", /2\+3\*4 = 14/);

  const types = await lastRunEventTypes(page);
  expect(types[0]).toBe("run_started");
  expect(types[types.length - 1]).toBe("run_completed");
  const order = ["tool_call_requested", "tool_execution_started", "tool_execution_completed", "tool_result_received"].map(
    (type) => types.indexOf(type),
  );
  expect(order.every((index) => index >= 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
  expect(types.filter((t) => t === "turn_completed")).toHaveLength(2);
  await expect(page.locator('#event-log li[data-type="tool_call_requested"]').last()).toContainText(
    'calculator {"expression":"2+3*4"}',
  );
  await expect(page.locator("#event-log li.tool-run").last()).toContainText("main thread ran calculator");
  await expect(page.locator("#count-tools")).toHaveText("1");
  await expect(page.locator("#count-turns")).toHaveText("2");

  // The screenshot for people to look at.
  await page.screenshot({ path: "test-results/demo.png" });
});

test("a tool failure reaches the model as an error result, and the clock tool works", async ({ page }) => {
  await openDemo(page);
  const failed = await sendAndWait(page, 'Use the calculator: {"expression": "1/0"}');
  expect(await finalText(failed)).toBe("calculator failed: calculator error: division by zero.");
  await expect(failed.locator(".tool")).toHaveAttribute("data-state", "error");

  const clock = await sendAndWait(page, "What does the clock say?");
  expect(await finalText(clock)).toMatch(/^clock returned: \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z /);
  const { toolRuns } = await demoState(page);
  expect(toolRuns.map((run) => [run.name, run.isError, run.thread])).toEqual([
    ["calculator", true, "main"],
    ["clock", false, "main"],
  ]);
});
