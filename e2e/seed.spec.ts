/** The WASM runtime docs' samples (demo/seed.html) run as written, on the main thread. */
import { expect, test } from "@playwright/test";

interface Verdict {
  ok: boolean;
  resultText?: string;
  bodyText?: string;
  eventsLeft?: number;
  error?: { name: string; code?: string; message: string };
}

test("the docs samples: init (proxy), create session and run turn, poll events", async ({ page }) => {
  const logs: string[] = [];
  page.on("console", (message) => logs.push(message.text()));
  await page.goto("/seed.html");
  const verdictText = await page.locator("#verdict").textContent({ timeout: 20_000 });
  const verdict = JSON.parse(verdictText ?? "null") as Verdict;
  expect(verdict.error).toBeUndefined();
  expect(verdict.ok).toBe(true);

  // "Create session and run turn": result.text, also logged by the sample.
  expect(verdict.resultText).toBe("You said: Hello (1 messages in context)");
  expect(logs).toContain(verdict.resultText);

  // "Poll events": the text deltas were appended to the (empty) body.
  expect(verdict.bodyText).toBe(verdict.resultText);
  expect(verdict.eventsLeft).toBe(0);
  await expect(page.locator("body")).toContainText("You said: Hello (1 messages in context)");
});
