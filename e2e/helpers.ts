/** Shared steps for the demo specs. */
import { expect, type Locator, type Page } from "@playwright/test";

/** The proxy the Playwright config starts (simulated provider). */
export const PROXY = "http://127.0.0.1:3100";

/** What `demo/src/main.ts` exposes on `window.rkatDemo`. */
export interface DemoWindowState {
  toolRuns: { name: string; args: Record<string, unknown>; result: string; isError: boolean; thread: string }[];
  hookVerdicts: { id: string; tool: string; args: Record<string, unknown>; decision: "allow" | "deny" }[];
  hookId: string | null;
  skills: string[];
  runs: number;
  busy: boolean;
}

/** Open the demo and wait until its runtime Worker is connected. */
export async function openDemo(page: Page, query = ""): Promise<void> {
  page.on("pageerror", (error) => console.error(`[page error] ${error.message}`));
  await page.goto(`/${query}`);
  await expect(page.locator("#status")).toHaveAttribute("data-state", "ready");
  await expectChatIdle(page);
}

/** No run or connection in progress on the Chat page: its messages are not busy (Send is enabled once there is a message). */
export async function expectChatIdle(page: Page): Promise<void> {
  await expect(page.locator("#messages")).toHaveAttribute("aria-busy", "false");
}

/** The assistant message of the last run. */
export function lastReply(page: Page): Locator {
  return page.locator(".msg.assistant").last();
}

/** Type a prompt and press Send; returns the new reply's locator. */
export async function send(page: Page, prompt: string): Promise<Locator> {
  const before = await page.locator(".msg.assistant").count();
  await page.locator("#prompt").fill(prompt);
  await page.locator("#send").click();
  await expect(page.locator(".msg.assistant")).toHaveCount(before + 1);
  return page.locator(".msg.assistant").nth(before);
}

/** Send a prompt and wait for the run to finish successfully. */
export async function sendAndWait(page: Page, prompt: string): Promise<Locator> {
  const reply = await send(page, prompt);
  await expect(reply).toHaveAttribute("data-state", "done");
  await expect(page.locator("#status")).toHaveAttribute("data-state", "ready");
  return reply;
}

/** Text of the reply's last paragraph (the final LLM turn's text). */
export async function finalText(reply: Locator): Promise<string> {
  return (await reply.locator(".segment").last().textContent()) ?? "";
}

/** Event types of the log lines of the last run (after its "run N" separator). */
export async function lastRunEventTypes(page: Page): Promise<string[]> {
  return (await lastRunEvents(page)).map((event) => event.type);
}

/** The event lines of the last run: type, summary and sequence number. */
export async function lastRunEvents(page: Page): Promise<{ type: string; summary: string; seq: number }[]> {
  return page.locator("#event-log").evaluate((log) => {
    const items = [...log.children] as HTMLElement[];
    let start = 0;
    items.forEach((item, i) => {
      if (item.classList.contains("note") && /^run \d+$/.test(item.textContent ?? "")) start = i + 1;
    });
    return items.slice(start).flatMap((item) =>
      item.dataset.type
        ? [{ type: item.dataset.type, summary: item.querySelector(".sum")?.textContent ?? "", seq: Number(item.dataset.seq) }]
        : [],
    );
  });
}

export function demoState(page: Page): Promise<DemoWindowState> {
  return page.evaluate(() => (window as unknown as { rkatDemo: DemoWindowState }).rkatDemo);
}

/**
 * A composer with a blank message: Send is disabled, and Enter sends nothing
 * (`sent` stays empty) and keeps the focus; with text, Send is enabled (the
 * message is left as "Hello").
 */
export async function expectBlankComposerInert(message: Locator, sendButton: Locator, sent: Locator, blank: string): Promise<void> {
  await message.fill(blank);
  await expect(sendButton).toBeDisabled();
  await message.press("Enter");
  await expect(message).toBeFocused();
  await expect(sent).toHaveCount(0);
  await message.fill("Hello");
  await expect(sendButton).toBeEnabled();
}
