/**
 * The demo's Sign-in page: a chat bound to a realm whose credential comes
 * from an external auth resolver on the page, answered by a fake login.
 * Against the simulated provider, in the page's runtime Worker.
 */
import { expect, test, type Page, type Request } from "@playwright/test";
import { expectBlankComposerInert, openDemo } from "./helpers.js";

const lastReply = (page: Page) => page.locator("#signin-messages .msg.assistant").last();

/** Send `prompt` and wait until its turn has ended (the reply says how). */
async function ask(page: Page, prompt: string): Promise<void> {
  const before = await page.locator("#signin-messages .msg.assistant").count();
  await page.locator("#signin-prompt").fill(prompt);
  await page.locator("#signin-send").click();
  await expect(page.locator("#signin-messages .msg.assistant")).toHaveCount(before + 1);
  await expect(lastReply(page)).toHaveAttribute("data-state", /^(done|error|interrupted)$/);
}

/** Open the Sign-in page, wait for its Worker, and sign in as ada. */
async function openSignedIn(page: Page): Promise<void> {
  await openDemo(page, "#signin");
  await expect(page.locator("#signin-status")).toHaveAttribute("data-state", "ready");
  await page.locator("#login-password").fill("demo");
  await page.locator("#sign-in").click();
  await expect(page.locator("#login-account")).toHaveAttribute("data-state", "in");
}

test("a signed-out page fails the run; after sign-in the resolver's token is used and cached", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const keys: string[] = [];
  page.context().on("request", (request: Request) => {
    const key = request.headers()["x-api-key"];
    if (request.url().includes("/anthropic/") && key) keys.push(key);
  });

  await openDemo(page, "#signin");
  await expect(page.getByRole("tab", { name: "Sign-in" })).toHaveAttribute("aria-selected", "true");
  await expect(page.locator("#signin-status")).toHaveAttribute("data-state", "ready");
  await expect(page.locator("#login-account")).toHaveText("signed out");

  // Signed out: the resolver refuses, the run fails with a clear code, the page stays usable.
  await ask(page, "Hello before signing in");
  await expect(lastReply(page).locator(".error-box")).toContainText("AUTH_RESOLVER_FAILED");
  await expect(lastReply(page).locator(".error-box")).toContainText("not signed in");
  await expect(page.locator('#resolver-log li[data-outcome="refused"]')).toHaveCount(1);

  // A wrong password does not sign in.
  await page.locator("#login-password").fill("nope");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("#login-account")).toHaveText("signed out");

  await page.locator("#login-user").fill("ada");
  await page.locator("#login-password").fill("demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("#login-account")).toHaveText("signed in as ada");

  await ask(page, "Hello after signing in");
  await expect(lastReply(page).locator(".error-box")).toHaveCount(0);
  await expect(lastReply(page)).not.toBeEmpty();
  await expect(page.locator('#signin-events li[data-type="run_completed"]')).toHaveCount(1);
  await expect(page.locator('#resolver-log li[data-outcome="ok"]')).toHaveCount(1);
  await expect(page.locator('#resolver-log li[data-outcome="ok"]')).toContainText("acct-ada");

  // A second turn (a new session on the same binding) reuses the cached lease.
  await ask(page, "And again");
  await expect(page.locator('#signin-events li[data-type="run_completed"]')).toHaveCount(2);
  await expect(page.locator('#resolver-log li[data-outcome="ok"]')).toHaveCount(1);

  // The provider got the resolver's token as its key, both times; the page never shows it.
  expect(keys.length).toBeGreaterThanOrEqual(2);
  for (const key of keys) expect(key).toMatch(/^demo-token-[0-9a-f]{24}$/);
  expect(new Set(keys).size).toBe(1);
  await expect(page.locator("#signin-view")).not.toContainText(keys[0]!);
  expect(errors).toEqual([]);
});

test("Stop ends a stalled turn on the Sign-in chat (its transcript a log, busy meanwhile); Send works again", async ({ page }) => {
  await openSignedIn(page);
  const stop = page.locator("#signin-stop");
  await expect(stop).toBeHidden();
  await page.locator("#signin-prompt").fill("[[sim:hang]] Tell me a long story");
  await page.locator("#signin-send").click();
  await expect(lastReply(page)).not.toBeEmpty();
  await expect(page.locator("#signin-send")).toBeDisabled();
  // The transcript is a log, busy while the turn runs (read out once the reply is whole).
  const transcript = page.locator("#signin-view").getByRole("log", { name: "Messages" });
  await expect(transcript).toHaveAttribute("aria-busy", "true");
  await stop.click();
  await expect(transcript).toHaveAttribute("aria-busy", "false");
  await expect(page.locator('#signin-events li[data-type="run_completed"]')).toHaveCount(1);
  await expect(lastReply(page)).toContainText("(stopped)");
  await expect(stop).toBeHidden();
  await ask(page, "Hello again");
  await expect(lastReply(page)).toContainText("You said: Hello again");
});

test("the Sign-in page works from the keyboard: focus follows the login, Enter sends, Stop gives focus back", async ({ page }) => {
  await openDemo(page, "#signin");
  await expect(page.locator("#signin-status")).toHaveAttribute("data-state", "ready");
  // Signing in hides the form: focus moves to Sign out, not to the page's body.
  await page.locator("#login-password").fill("demo");
  await page.locator("#login-password").press("Enter");
  await expect(page.locator("#login-account")).toHaveAttribute("data-state", "in");
  await expect(page.locator("#sign-out")).toBeFocused();
  // Signing out hides Sign out: focus goes back to the form.
  await page.keyboard.press("Enter");
  await expect(page.locator("#login-account")).toHaveAttribute("data-state", "out");
  await expect(page.locator("#login-password")).toBeFocused();
  await page.keyboard.type("demo");
  await page.keyboard.press("Enter");
  await expect(page.locator("#sign-out")).toBeFocused();

  // Enter in the prompt sends, as on the Chat page.
  const prompt = page.locator("#signin-prompt");
  await prompt.fill("[[sim:hang]] Tell me a long story");
  await prompt.press("Enter");
  await expect(lastReply(page)).not.toBeEmpty();
  // Stop, pressed from the keyboard, hides itself: focus returns to the prompt.
  await page.locator("#signin-stop").focus();
  await page.keyboard.press("Enter");
  await expect(lastReply(page)).toContainText("(stopped)");
  await expect(prompt).toBeFocused();
});

test("the Sign-in transcript follows its newest reply", async ({ page }) => {
  await openSignedIn(page);
  const long = "A long question, ".repeat(40);
  for (let i = 1; i <= 4; i++) await ask(page, `${i}: ${long}`);
  const transcript = page.locator("#signin-messages");
  expect(await transcript.evaluate((t) => t.scrollHeight > t.clientHeight)).toBe(true);
  await expect(lastReply(page)).toContainText("You said: 4:");
  await expect(lastReply(page)).toBeInViewport();

  // Scrolled up to read while a reply streams: the transcript stays there.
  await page.locator("#signin-prompt").fill(`5: ${long}[[sim:chunk=32,delay=15]]`);
  await page.locator("#signin-send").click();
  await expect(page.locator("#signin-messages .msg.assistant")).toHaveCount(5);
  await expect(lastReply(page)).not.toBeEmpty();
  await transcript.evaluate((t) => t.scrollTo({ top: 0 }));
  await expect(lastReply(page)).toHaveAttribute("data-state", "done", { timeout: 20_000 });
  expect(await transcript.evaluate((t) => t.scrollTop)).toBe(0);
});

test("a long unbroken line (a URL) wraps in the Sign-in transcript instead of running out of it, in a phone-sized window", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openSignedIn(page);
  await ask(page, `https://example.com/${"averyverylongpathsegment".repeat(12)}`);
  await expect(lastReply(page)).toContainText("(1 messages in context)");
  const transcript = page.locator("#signin-messages");
  expect(await transcript.evaluate((t) => t.scrollWidth - t.clientWidth)).toBeLessThanOrEqual(0);
});

test("the Sign-in status line stays one line in the top bar, cut with its full text on hover, as the Chat's", async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await openDemo(page);
  const chatHeight = await page.locator("#status").evaluate((s) => s.getBoundingClientRect().height);
  await page.getByRole("tab", { name: "Sign-in" }).click();
  const status = page.locator("#signin-status");
  await expect(status).toHaveAttribute("data-state", "ready");
  await expect(status).toHaveAttribute("title", /^ready · team-alpha\/anthropic via http/);
  expect(await status.evaluate((s) => s.getBoundingClientRect().height)).toBe(chatHeight);
});

test("the Sign-in chat's Send is disabled while the prompt is empty or blank, and between a turn's start and end", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await openSignedIn(page);
  const prompt = page.locator("#signin-prompt");
  const sendButton = page.locator("#signin-send");
  await expect(sendButton).toBeEnabled(); // the example prompt
  await expectBlankComposerInert(prompt, sendButton, page.locator("#signin-messages .msg"), "  ");
  // Sent from the keyboard: Send disables with the prompt emptied, the focus goes to the prompt.
  await sendButton.focus();
  await page.keyboard.press("Enter");
  await expect(lastReply(page)).toHaveAttribute("data-state", "done");
  await expect(lastReply(page)).toContainText("You said: Hello");
  await expect(sendButton).toBeDisabled();
  await expect(prompt).toBeFocused();
  expect(errors).toEqual([]);
});

test("a wrong password is said next to the form, as an alert describing the field, which keeps the focus; the next attempt clears it", async ({ page }) => {
  await openDemo(page, "#signin");
  await expect(page.locator("#signin-status")).toHaveAttribute("data-state", "ready");
  const password = page.locator("#login-password");
  const alert = page.locator("#login").getByRole("alert");
  const wrong = 'wrong password (the demo password is "demo")';
  await password.fill("nope");
  await password.press("Enter");
  await expect(alert).toHaveText(wrong);
  await expect(password).toHaveAttribute("aria-invalid", "true");
  await expect(password).toHaveAccessibleDescription(wrong);
  await expect(password).toBeFocused();
  await expect(page.locator("#login-account")).toHaveText("signed out");
  // Pressed with the mouse, Sign in gives the focus back to the password too.
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(alert).toHaveText(wrong);
  await expect(password).toBeFocused();
  await page.keyboard.type("demo");
  await page.keyboard.press("Enter");
  await expect(page.locator("#login-account")).toHaveText("signed in as ada");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(password).toBeFocused();
  await expect(alert).toHaveText("");
  await expect(password).not.toHaveAttribute("aria-invalid", "true");
});

test("the same wrong password twice: the alert is emptied, then says it again, so it is read out again", async ({ page }) => {
  await openDemo(page, "#signin");
  await expect(page.locator("#signin-status")).toHaveAttribute("data-state", "ready");
  const wrong = 'wrong password (the demo password is "demo")';
  // The alert's text each time the DOM settles after a change (a MutationObserver's callback).
  await page.locator("#login-error").evaluate((alert) => {
    const seen: string[] = [];
    (window as unknown as { alertTexts: string[] }).alertTexts = seen;
    new MutationObserver(() => seen.push(alert.textContent ?? "")).observe(alert, { childList: true, characterData: true, subtree: true });
  });
  const texts = () => page.evaluate(() => (window as unknown as { alertTexts: string[] }).alertTexts);
  const password = page.locator("#login-password");
  await password.fill("nope");
  await password.press("Enter");
  await expect(page.locator("#login").getByRole("alert")).toHaveText(wrong);
  await expect.poll(texts).toEqual([wrong]);
  await password.fill("nope");
  await password.press("Enter");
  // Not set again in the same step (which a screen reader does not hear): empty first, then the message.
  await expect.poll(texts).toEqual([wrong, "", wrong]);
  await expect(password).toBeFocused();
  await expect(password).toHaveAccessibleDescription(wrong);
});
