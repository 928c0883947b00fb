/**
 * The "Agent loop" panel: a hook (run on the page) that denies the
 * calculator, a per-turn tool-call budget that stops a run, and the skill
 * picker (an embedded skill source added at startup).
 */
import { expect, test, type Page } from "@playwright/test";
import { demoState, expectChatIdle, finalText, lastRunEvents, lastRunEventTypes, openDemo, send, sendAndWait } from "./helpers.js";

const DENIAL = "the calculator is disabled by a demo hook";
/** The simulator calls every tool a prompt names, in parallel: here two calls. */
const TWO_TOOLS = "Use the calculator to compute 2+2 and tell me the time with the clock";

/** Check the hook box and wait until the runtime has registered it; returns its id. */
async function enableHook(page: Page): Promise<string> {
  await page.locator("#deny-calculator").check();
  await expect(page.locator("#hook-id")).toHaveText(/^hook-\d+$/);
  await expect(page.locator("#deny-calculator")).toBeEnabled();
  const { hookId } = await demoState(page);
  expect(hookId).toMatch(/^hook-\d+$/);
  return hookId ?? "";
}

/** Index of the first event of `type` in `types`, failing when absent. */
function at(types: string[], type: string): number {
  const index = types.indexOf(type);
  expect(index, `${type} in ${JSON.stringify(types)}`).toBeGreaterThanOrEqual(0);
  return index;
}

test("a hook denies the calculator: the log shows hook_started and hook_denied, the chat the model's answer", async ({ page }) => {
  await openDemo(page);
  const hookId = await enableHook(page);

  const reply = await sendAndWait(page, 'Use the calculator: {"expression": "2+3"}');
  await expect(page.locator(".msg.user").last().locator(".tag")).toHaveText(["hook: deny calculator"]);

  // The model was told, and says so.
  const answer = await finalText(reply);
  expect(answer).toMatch(/^calculator failed: /);
  expect(answer).toContain("HOOK_DENIED");
  expect(answer).toContain(DENIAL);
  const chip = reply.locator(".tool");
  await expect(chip).toHaveAttribute("data-state", "error");
  await expect(chip.locator(".tool-result")).toContainText(DENIAL);
  await expect(chip.locator(".tool-result")).toContainText("not run");

  // The hook ran on the page and denied this call; the calculator never ran.
  const state = await demoState(page);
  expect(state.toolRuns).toEqual([]);
  expect(state.hookVerdicts).toEqual([{ id: expect.any(String), tool: "calculator", args: { expression: "2+3" }, decision: "deny" }]);

  // The event log: requested → hook started → denied (reason, message) → the tool's error result.
  const events = await lastRunEvents(page);
  const types = events.map((e) => e.type);
  const order = ["tool_call_requested", "hook_started", "hook_denied", "tool_execution_completed", "tool_result_received"].map((type) =>
    at(types, type),
  );
  expect([...order].sort((a, b) => a - b)).toEqual(order);
  expect(types[types.length - 1]).toBe("run_completed");
  const byType = (type: string) => events.filter((e) => e.type === type);
  expect(byType("hook_started")[0]?.summary).toBe(`${hookId} at pre_tool_execution`);
  expect(byType("hook_denied")[0]?.summary).toBe(`demo_policy: "${DENIAL}" (${hookId} at pre_tool_execution)`);
  expect(byType("tool_execution_completed")[0]?.summary).toMatch(/^calculator error "HOOK_DENIED: /);
  expect(byType("tool_result_received")[0]?.summary).toBe("calculator error");
  // Every event carries its sequence number, increasing.
  const seqs = events.map((e) => e.seq);
  expect(seqs.every((seq) => Number.isInteger(seq) && seq > 0)).toBe(true);
  expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  await expect(page.locator('#event-log li[data-type="hook_denied"]').last()).toBeVisible();
  await expect(page.locator("#event-log li.hook-run").last()).toContainText("main thread hook denied calculator");
  // The runtime does not count a denied call as a tool call.
  await expect(page.locator("#count-tools")).toHaveText("0");

  // Other tools are allowed by the same hook.
  const clock = await sendAndWait(page, "What does the clock say?");
  expect(await finalText(clock)).toMatch(/^clock returned: \d{4}-/);
  const clockTypes = await lastRunEventTypes(page);
  expect(clockTypes).toContain("hook_started");
  expect(clockTypes).not.toContain("hook_denied");
  expect((await demoState(page)).hookVerdicts.map((v) => [v.tool, v.decision])).toEqual([
    ["calculator", "deny"],
    ["clock", "allow"],
  ]);

  // The hook survives "Apply & reconnect" (a new Worker and runtime).
  await page.locator("#settings button[type=submit]").click();
  await expect(page.locator("#status")).toHaveAttribute("data-state", "ready");
  await expect(page.locator(".msg")).toHaveCount(0);
  await expect(page.locator("#hook-id")).toHaveText(/^hook-\d+$/);
  const again = await sendAndWait(page, 'Use the calculator: {"expression": "2+3"}');
  expect(await finalText(again)).toContain(DENIAL);

  // Unchecking unregisters it: the calculator works again and no hook runs.
  await page.locator("#deny-calculator").uncheck();
  await expect(page.locator("#hook-id")).toBeHidden();
  await expect.poll(async () => (await demoState(page)).hookId).toBeNull();
  const allowed = await sendAndWait(page, 'Use the calculator: {"expression": "2+3"}');
  expect(await finalText(allowed)).toBe("calculator returned: 2+3 = 5.");
  expect(await lastRunEventTypes(page)).not.toContain("hook_started");
  await expect(page.locator(".msg.user").last().locator(".tag")).toHaveCount(0);
});

test("a tool-call budget stops the run with BUDGET_EXHAUSTED, and the next prompt works", async ({ page }) => {
  await openDemo(page);
  await page.locator("#tool-budget").fill("1");

  const failed = await send(page, TWO_TOOLS);
  await expect(failed).toHaveAttribute("data-state", "error");
  await expect(page.locator(".msg.user").last().locator(".tag")).toHaveText(["budget: 1 tool call"]);
  await expect(failed.locator(".error-code")).toHaveText("BUDGET_EXHAUSTED");
  await expect(failed.locator(".error-box")).toContainText("tool_calls budget is used up (1 of 1)");
  await expect(failed.locator(".error-detail")).toHaveText("tool_calls: used 1 of 1 · before it stopped: 1 LLM turn(s), 1 tool call(s)");
  await expect(page.locator("#status")).toHaveAttribute("data-state", "error");
  await expect(page.locator("#status")).toContainText("BUDGET_EXHAUSTED");
  await expectChatIdle(page);

  // The first call ran; the second was refused by the runtime, never reaching the page.
  await expect(failed.locator(".tool")).toHaveCount(2);
  await expect(failed.locator('.tool[data-tool="calculator"]')).toHaveAttribute("data-state", "done");
  const refused = failed.locator('.tool[data-tool="clock"]');
  await expect(refused).toHaveAttribute("data-state", "error");
  await expect(refused.locator(".tool-result")).toContainText("BUDGET_EXHAUSTED");
  await expect(refused.locator(".tool-result")).toContainText("not run");
  expect((await demoState(page)).toolRuns.map((run) => run.name)).toEqual(["calculator"]);
  await expect(page.locator("#count-tools")).toHaveText("1");

  const events = await lastRunEvents(page);
  const types = events.map((e) => e.type);
  expect(at(types, "budget_warning")).toBeGreaterThan(at(types, "tool_call_requested"));
  expect(types[types.length - 1]).toBe("run_failed");
  expect(types).not.toContain("run_completed");
  expect(events.find((e) => e.type === "budget_warning")?.summary).toBe("tool_calls 1/1 (100%, limit reached)");
  expect(events.find((e) => e.type === "run_failed")?.summary).toContain("tool_calls budget is used up (1 of 1)");

  // The next prompt runs normally (no tool named: the budget is not touched).
  const next = await sendAndWait(page, "Are you still there?");
  await expect(next.locator(".error-box")).toHaveCount(0);
  await expect(page.locator("#status")).not.toContainText("BUDGET_EXHAUSTED");
  const nextTypes = await lastRunEventTypes(page);
  expect(nextTypes[nextTypes.length - 1]).toBe("run_completed");
  expect(nextTypes).not.toContain("budget_warning");

  // With room for both calls the same prompt completes (warned at the limit).
  await page.locator("#tool-budget").fill("2");
  const both = await sendAndWait(page, TWO_TOOLS);
  expect(await finalText(both)).toMatch(/^calculator returned: 2\+2 = 4\. clock returned: \d{4}-/);
  const bothEvents = await lastRunEvents(page);
  expect(bothEvents.find((e) => e.type === "budget_warning")?.summary).toBe("tool_calls 2/2 (100%, limit reached)");
  expect(bothEvents[bothEvents.length - 1]?.type).toBe("run_completed");

  // A budget the runtime refuses is reported, not silently dropped.
  await page.locator("#tool-budget").fill("0");
  const invalid = await send(page, "Hello");
  await expect(invalid).toHaveAttribute("data-state", "error");
  await expect(invalid.locator(".error-code")).toHaveText("INVALID_CONFIG");
  await expect(invalid.locator(".error-box")).toContainText("budget.toolCalls");

  // No budget: no limit.
  await page.locator("#tool-budget").fill("");
  const free = await sendAndWait(page, TWO_TOOLS);
  expect(await finalText(free)).toMatch(/^calculator returned: 2\+2 = 4\. clock returned: /);
  expect(await lastRunEventTypes(page)).not.toContain("budget_warning");
  await expect(page.locator(".msg.user").last().locator(".tag")).toHaveCount(0);
});

test("the skill picker: skills_resolved in the log, and a pirate's answer", async ({ page }) => {
  await openDemo(page);
  // The picker lists what the runtime holds after addSkillSource.
  await expect(page.locator("#skill")).toBeEnabled();
  await expect(page.locator("#skill option")).toHaveText(["none", "pirate · Answer like a pirate", "concise · Answer in one short sentence"]);
  expect((await demoState(page)).skills).toEqual(["pirate", "concise"]);

  await page.locator("#skill").selectOption("pirate");
  const pirate = await sendAndWait(page, "Hello there");
  expect(await finalText(pirate)).toBe("Arr! You said: Hello there (1 messages in context)");
  await expect(page.locator(".msg.user").last().locator(".tag")).toHaveText(["skill: pirate"]);
  const events = await lastRunEvents(page);
  const types = events.map((e) => e.type);
  expect(at(types, "skills_resolved")).toBeLessThan(at(types, "turn_started"));
  const resolved = events.find((e) => e.type === "skills_resolved")?.summary ?? "";
  expect(resolved).toMatch(/^demo-skills\/pirate · \d+ bytes injected$/);
  expect(Number(/(\d+) bytes/.exec(resolved)?.[1])).toBeGreaterThan("You are a pirate. Talk like one.".length);

  // "none": no skill is sent, the answer is plain.
  await page.locator("#skill").selectOption("");
  const plain = await sendAndWait(page, "Hello again");
  expect(await finalText(plain)).toBe("You said: Hello again (3 messages in context)");
  expect(await lastRunEventTypes(page)).not.toContain("skills_resolved");

  // Another skill: resolved by its name; no pirate talk.
  await page.locator("#skill").selectOption("concise");
  const concise = await sendAndWait(page, "Goodbye");
  expect(await finalText(concise)).toBe("You said: Goodbye (5 messages in context)");
  const conciseEvents = await lastRunEvents(page);
  expect(conciseEvents.find((e) => e.type === "skills_resolved")?.summary).toMatch(/^demo-skills\/concise · \d+ bytes injected$/);
});

test("the hook and a skill together (screenshot)", async ({ page }) => {
  await openDemo(page);
  await enableHook(page);
  await page.locator("#skill").selectOption("pirate");
  const reply = await sendAndWait(page, 'Use the calculator: {"expression": "(2+3)*4.5"}');
  const answer = await finalText(reply);
  expect(answer).toMatch(/^Arr! calculator failed: /);
  expect(answer).toContain(DENIAL);
  const types = await lastRunEventTypes(page);
  for (const type of ["skills_resolved", "hook_started", "hook_denied", "run_completed"]) at(types, type);
  await expect(page.locator(".msg.user").last().locator(".tag")).toHaveText(["skill: pirate", "hook: deny calculator"]);

  // The screenshot for people to look at, the log scrolled to the tool call and its hook.
  await page
    .locator('#event-log li[data-type="tool_call_requested"]')
    .last()
    .evaluate((line) => line.scrollIntoView({ block: "start" }));
  await page.screenshot({ path: "test-results/demo-features.png" });
});

test("the hook's checkbox, toggled from the keyboard, keeps the focus (it is disabled while the runtime registers the hook)", async ({ page }) => {
  await openDemo(page);
  const checkbox = page.locator("#deny-calculator");
  await checkbox.focus();
  await page.keyboard.press("Space");
  await expect(page.locator("#hook-id")).toHaveText(/^hook-\d+$/);
  await expect(checkbox).toBeEnabled();
  await expect(checkbox).toBeFocused();
  await page.keyboard.press("Space");
  await expect(page.locator("#hook-id")).toBeHidden();
  await expect(checkbox).toBeEnabled();
  await expect(checkbox).toBeFocused();
});
