/** One turn on each provider's wire API, with the runtime in the Worker, through the simulated provider. */
import { expect, test } from "@playwright/test";
import { PROXY, finalText, openDemo, sendAndWait } from "./helpers.js";

const CASES = [
  { provider: "anthropic", path: /^\/anthropic\/v1\/messages$/ },
  { provider: "openai-chat", path: /^\/openai\/v1\/chat\/completions$/ },
  { provider: "openai-responses", path: /^\/openai\/v1\/responses$/ },
  { provider: "gemini", path: /^\/gemini\/v1beta\/models\/gemini-2\.5-flash:streamGenerateContent$/ },
];

for (const { provider, path } of CASES) {
  test(`a turn and a tool call on ${provider}`, async ({ page, request }) => {
    await openDemo(page, `?provider=${provider}`);
    await expect(page.locator("#provider")).toHaveValue(provider);
    const prompt = `Hello from ${provider}, cut anywhere`;
    const reply = await sendAndWait(page, `${prompt} [[sim:split=random]]`);
    expect(await finalText(reply)).toBe(`You said: ${prompt} (1 messages in context)`);

    const tool = await sendAndWait(page, 'Use the calculator: {"expression": "6*7"}');
    expect(await finalText(tool)).toBe("calculator returned: 6*7 = 42.");

    const log = (await (await request.get(`${PROXY}/_sim/requests`)).json()) as Array<{ path: string }>;
    expect(log.slice(-3).every((r) => path.test(r.path.split("?")[0] ?? ""))).toBe(true);
  });
}

test("switching the provider fills in its URL and model", async ({ page }) => {
  await openDemo(page);
  await page.locator("#provider").selectOption("gemini");
  await expect(page.locator("#base-url")).toHaveValue("http://127.0.0.1:3100/gemini");
  await expect(page.locator("#model")).toHaveValue("gemini-2.5-flash");
  await page.locator("#settings button[type=submit]").click();
  await expect(page.locator("#status")).toHaveAttribute("data-state", "ready");
  await expect(page.locator("#status")).toContainText("gemini-2.5-flash");
});
