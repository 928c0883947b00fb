/** The demo chat: streaming, the event log, multi-turn memory, error display. */
import { expect, test, type Page } from "@playwright/test";
import { expectBlankComposerInert, expectChatIdle, finalText, lastReply, lastRunEventTypes, openDemo, send, sendAndWait } from "./helpers.js";

test("a reply streams into the chat and the event log shows the run", async ({ page }) => {
  await openDemo(page);
  const prompt = "Tell me how streaming works, one small piece at a time";
  const reply = await send(page, `${prompt} [[sim:chunk=16,delay=15]]`);
  const expected = `You said: ${prompt} (1 messages in context)`;

  // Sample the reply while it streams.
  const samples: string[] = [];
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const { state, text } = await reply.evaluate((el: HTMLElement) => ({
      state: el.dataset.state ?? "",
      text: el.querySelector(".body")?.textContent ?? "",
    }));
    if (state !== "streaming") break;
    if (text !== "" && text !== samples[samples.length - 1]) samples.push(text);
    await page.waitForTimeout(25);
  }
  await expect(reply).toHaveAttribute("data-state", "done");
  await expect(page.locator("#status")).toHaveAttribute("data-state", "ready");

  // It grew over time: at least two distinct partial texts, each a prefix of the next.
  const partial = samples.filter((text) => text.length < expected.length);
  expect(partial.length, `partial texts seen: ${JSON.stringify(samples)}`).toBeGreaterThanOrEqual(2);
  for (let i = 1; i < samples.length; i += 1) {
    expect(samples[i]!.startsWith(samples[i - 1]!), `sample ${i} extends sample ${i - 1}`).toBe(true);
    expect(samples[i]!.length).toBeGreaterThan(samples[i - 1]!.length);
  }
  for (const text of samples) expect(expected.startsWith(text)).toBe(true);

  expect(await finalText(reply)).toBe(expected);
  await expect(reply).toHaveAttribute("data-final", expected);

  // The log lists the run from run_started to run_completed.
  const types = await lastRunEventTypes(page);
  expect(types[0]).toBe("run_started");
  expect(types[types.length - 1]).toBe("run_completed");
  expect(types).toEqual(expect.arrayContaining(["turn_started", "text_delta", "text_complete", "turn_completed"]));
  expect(types.filter((t) => t === "text_delta").length).toBeGreaterThan(3);
  expect(types.indexOf("turn_completed")).toBeGreaterThan(types.lastIndexOf("text_delta"));
  await expect(page.locator('#event-log li[data-type="turn_completed"]').last()).toContainText(/end_turn in=\d+ out=\d+/);
  await expect(page.locator('#event-log li[data-type="text_delta"]').first()).toContainText('"');

  // Counters follow the session.
  await expect(page.locator("#count-runs")).toHaveText("1");
  await expect(page.locator("#count-turns")).toHaveText("1");
  await expect(page.locator("#count-tools")).toHaveText("0");
  expect(Number(await page.locator("#count-out").textContent())).toBeGreaterThan(0);
});

test("the session remembers earlier turns", async ({ page }) => {
  await openDemo(page);
  const first = await sendAndWait(page, "My name is Ada.");
  expect(await finalText(first)).toBe("You said: My name is Ada. (1 messages in context)");
  const second = await sendAndWait(page, "What is my name?");
  expect(await finalText(second)).toBe("Your name is Ada.");
  await expect(page.locator("#count-runs")).toHaveText("2");
  await expect(page.locator("#count-turns")).toHaveText("2");

  // "New session" forgets it.
  await page.locator("#new-session").click();
  await expect(page.locator(".msg")).toHaveCount(0);
  await expect(page.locator("#count-runs")).toHaveText("0");
  await expect(page.locator("#status")).toHaveAttribute("data-state", "ready");
  const fresh = await sendAndWait(page, "What is my name?");
  expect(await finalText(fresh)).toBe("You said: What is my name? (1 messages in context)");
});

test("a provider error shows its code, and the next prompt works", async ({ page }) => {
  await openDemo(page);
  const failed = await send(page, "[[sim:error=401]] This one fails");
  await expect(failed).toHaveAttribute("data-state", "error");
  const status = page.locator("#status");
  await expect(status).toHaveAttribute("data-state", "error");
  await expect(status).toContainText("PROVIDER_AUTH");
  await expect(failed.locator(".error-code")).toHaveText("PROVIDER_AUTH");
  expect(await lastRunEventTypes(page)).toContain("run_failed");
  await expectChatIdle(page);

  const next = await sendAndWait(page, "Are you still there?");
  expect(await finalText(next)).toMatch(/^You said: Are you still there\? \(\d+ messages in context\)$/);
  await expect(status).not.toContainText("PROVIDER_AUTH");
  await expect(lastReply(page)).toHaveAttribute("data-state", "done");
});

test("Stop interrupts a stalled reply: the partial text stays, the chat is usable again", async ({ page }) => {
  await openDemo(page);
  await expect(page.locator("#stop")).toBeHidden();
  // `hang`: a few events, then the provider goes silent (the run would wait for good).
  const reply = await send(page, "[[sim:hang]] Tell me a long story");
  await expect(reply.locator(".segment").first()).not.toBeEmpty();
  await expect(page.locator("#send")).toBeDisabled();
  await page.locator("#stop").click();
  await expect(reply).toHaveAttribute("data-state", "interrupted");
  await expect(reply).toContainText("stopped");
  await expect(page.locator("#status")).toHaveAttribute("data-state", "ready");
  await expect(page.locator("#stop")).toBeHidden();
  await expect(page.locator('#event-log li[data-type="turn_completed"]').last()).toContainText("cancelled");
  const next = await sendAndWait(page, "Are you still there?");
  expect(await finalText(next)).toContain("You said: Are you still there?");
});

test("while a reply runs, Send keeps its name and the messages say they are busy; a reply is read once it is whole", async ({ page }) => {
  await openDemo(page);
  const [sendButton, messages] = [page.locator("#send"), page.getByRole("log", { name: "Messages" })];
  await expect(messages).toHaveAttribute("aria-busy", "false");
  const reply = await send(page, "[[sim:hang]] Tell me a long story");
  await expect(reply.locator(".segment").first()).not.toBeEmpty();
  await expect(sendButton).toBeDisabled();
  await expect(sendButton).toHaveAccessibleName("Send");
  await expect(messages).toHaveAttribute("aria-busy", "true");
  await page.locator("#stop").click();
  await expect(reply).toHaveAttribute("data-state", "interrupted");
  await expect(messages).toHaveAttribute("aria-busy", "false");
  await expect(sendButton).toHaveAccessibleName("Send");
});

test("text fields show the keyboard focus with an outline in the accent colour (not a near-white halo)", async ({ page }) => {
  await openDemo(page);
  const accent = "rgb(59, 91, 219)";
  for (const id of ["#prompt", "#base-url", "#provider", "#tool-budget"]) {
    await page.locator(id).focus();
    await expect(page.locator(id)).toHaveCSS("outline-color", accent);
    await expect(page.locator(id)).toHaveCSS("outline-style", "solid");
  }
  await page.getByRole("tab", { name: "Mobs" }).click();
  await page.locator("#mob-send-text").focus();
  await expect(page.locator("#mob-send-text")).toHaveCSS("outline-color", accent);
});

/** What sticks out past the viewport's right edge (the page must not scroll sideways). */
async function overflow(page: Page): Promise<{ scrollWidth: number; width: number; cut: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const cut = [...document.querySelectorAll<HTMLElement>("header, header *, main:not([hidden]) > *")]
      .filter((node) => node.getClientRects().length > 0 && node.getBoundingClientRect().right > width + 1)
      .map((node) => node.id || node.className || node.tagName);
    return { scrollWidth: document.documentElement.scrollWidth, width, cut };
  });
}

test("a phone-sized window (390×844): chat and sign-in fit its width, the top bar too", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openDemo(page);
  await sendAndWait(page, "Use the calculator to compute 2+2 and tell me the time with the clock");
  expect(await overflow(page)).toEqual({ scrollWidth: 390, width: 390, cut: [] });
  await expect(page.locator("#status-text")).toBeInViewport({ ratio: 1 });
  await page.getByRole("tab", { name: "Sign-in" }).click();
  await expect(page.locator("#signin-status")).toHaveAttribute("data-state", "ready");
  expect(await overflow(page)).toEqual({ scrollWidth: 390, width: 390, cut: [] });
});

test("a visitor who scrolls up while a reply streams stays where they are; sending again brings the newest message back", async ({ page }) => {
  await openDemo(page);
  const long = "Stream this slowly please, one small piece at a time. ".repeat(30);
  await sendAndWait(page, long); // the chat is full: it scrolls
  const reply = await send(page, `${long}[[sim:chunk=32,delay=15]]`);
  await expect(reply.locator(".segment").first()).not.toBeEmpty();
  const messages = page.locator("#messages");
  // Scrolled to the top to read the question again, while the reply goes on streaming.
  await messages.evaluate((m) => m.scrollTo({ top: 0 }));
  expect(await messages.evaluate((m) => m.scrollHeight > m.clientHeight)).toBe(true);
  await expect(reply).toHaveAttribute("data-state", "streaming");
  await expect(reply).toHaveAttribute("data-state", "done", { timeout: 20_000 });
  expect(await messages.evaluate((m) => m.scrollTop)).toBe(0);
  // Sending is a request to see the new run.
  const next = await sendAndWait(page, "Hello");
  await expect(next).toBeInViewport();
});

test("Send is disabled while the message is empty or blank; Enter then does nothing; the focus is kept", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await openDemo(page);
  const prompt = page.locator("#prompt");
  const sendButton = page.getByRole("button", { name: "Send" });
  await expect(sendButton).toBeDisabled();
  // Enter in a blank composer: nothing is sent, nothing fails.
  await expectBlankComposerInert(prompt, sendButton, page.locator(".msg"), "   \n ");
  await expect(page.locator("#status")).toHaveAttribute("data-state", "ready");
  await prompt.fill("");
  await expect(sendButton).toBeDisabled();
  // An example fills the prompt: Send can be pressed.
  await page.getByRole("button", { name: "My name is Ada." }).click();
  await expect(sendButton).toBeEnabled();
  // Sent from the keyboard: the prompt is emptied, Send disables and hands the focus to the prompt.
  await sendButton.focus();
  await page.keyboard.press("Enter");
  await expect(lastReply(page)).toHaveAttribute("data-state", "done");
  await expect(sendButton).toBeDisabled();
  await expect(prompt).toBeFocused();
  expect(errors).toEqual([]);
});
