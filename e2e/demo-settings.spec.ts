/** Settings: `?proxy=` / `?model=` overrides, a network failure, and reconnecting. */
import { expect, test } from "@playwright/test";
import { PROXY, finalText, openDemo, send, sendAndWait } from "./helpers.js";

test("an unreachable provider shows NETWORK_ERROR; Apply & reconnect recovers", async ({ page, request }) => {
  // Port 9 (discard) on loopback: nothing listens, the fetch fails at once.
  await openDemo(page, "?proxy=http://127.0.0.1:9/anthropic&model=claude-haiku-4-5");
  await expect(page.locator("#base-url")).toHaveValue("http://127.0.0.1:9/anthropic");
  await expect(page.locator("#model")).toHaveValue("claude-haiku-4-5");

  const failed = await send(page, "Hello?");
  await expect(failed).toHaveAttribute("data-state", "error");
  await expect(page.locator("#status")).toHaveAttribute("data-state", "error");
  await expect(page.locator("#status")).toContainText("NETWORK_ERROR");
  await expect(failed.locator(".error-code")).toHaveText("NETWORK_ERROR");

  await page.locator("#base-url").fill(`${PROXY}/anthropic`);
  await page.locator("#settings button[type=submit]").click();
  await expect(page.locator("#status")).toHaveAttribute("data-state", "ready");
  await expect(page.locator("#status")).toContainText(`claude-haiku-4-5 via ${PROXY}/anthropic`);
  await expect(page.locator(".msg")).toHaveCount(0);

  // A nonce tells this run's request apart in the proxy's log (shared by every test and run).
  const prompt = `Hello again, through the proxy ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const reply = await sendAndWait(page, prompt);
  expect(await finalText(reply)).toBe(`You said: ${prompt} (1 messages in context)`);

  // The simulated provider saw the model from the settings, and no real key.
  const log = (await (await request.get(`${PROXY}/_sim/requests`)).json()) as {
    path: string;
    headers: Record<string, string>;
    body: { model?: string; messages?: unknown[] } | null;
  }[];
  const mine = log.filter((entry) => JSON.stringify(entry.body?.messages ?? []).includes(prompt));
  expect(mine).toHaveLength(1);
  expect(mine[0]!.path).toBe("/anthropic/v1/messages");
  expect(mine[0]!.body?.model).toBe("claude-haiku-4-5");
});

test("while a run streams, Apply & reconnect is disabled (it would be ignored), and enabled again when the run ends", async ({ page }) => {
  await openDemo(page);
  const apply = page.getByRole("button", { name: "Apply & reconnect" });
  await expect(apply).toBeEnabled();
  const reply = await send(page, "[[sim:hang]] Wait for it");
  await expect(reply.locator(".segment").first()).not.toBeEmpty();
  await expect(apply).toBeDisabled();
  await expect(page.getByRole("button", { name: "New session" })).toBeDisabled();
  await page.locator("#stop").click();
  await expect(reply).toHaveAttribute("data-state", "interrupted");
  await expect(apply).toBeEnabled();
});

test("New session and Apply & reconnect, pressed from the keyboard, keep the focus (they are disabled while they work)", async ({ page }) => {
  await openDemo(page);
  await sendAndWait(page, "Hello");
  const newSession = page.getByRole("button", { name: "New session" });
  await newSession.focus();
  await page.keyboard.press("Enter");
  await expect(page.locator(".msg")).toHaveCount(0);
  await expect(newSession).toBeEnabled();
  await expect(newSession).toBeFocused();

  const apply = page.getByRole("button", { name: "Apply & reconnect" });
  await apply.focus();
  await page.keyboard.press("Enter");
  await expect(page.locator("#event-log li.note").filter({ hasText: "connected · session" })).toHaveCount(2);
  await expect(apply).toBeEnabled();
  await expect(apply).toBeFocused();
});
