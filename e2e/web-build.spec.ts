/**
 * The `rkat mob web build` site: built by the CLI from the example pack
 * (signed with a fresh key), served by a plain static server, opened in
 * Chromium, its mob run against the simulated provider (the proxy of
 * playwright.config.ts). No bundler is involved: the page loads the
 * runtime's ES modules and the wasm as files.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { PROXY } from "./helpers.js";
import { serveStatic, type StaticServer } from "./static-server.js";

const EXAMPLE = "examples/packs/research-team";

/** `node bin/<bin>.mjs ...args` from the package root; its stdout (throws on a non-zero exit). */
function cli(bin: string, ...args: string[]): string {
  return execFileSync(process.execPath, [join("bin", `${bin}.mjs`), ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

interface Definition {
  orchestrator?: { profile: string };
  profiles: Record<string, unknown>;
}

let work = "";
let server: StaticServer;
let digest = "";
const definition = JSON.parse(readFileSync(join(EXAMPLE, "definition.json"), "utf8")) as Definition;
const manifest = readFileSync(join(EXAMPLE, "manifest.toml"), "utf8");
const lead = definition.orchestrator?.profile ?? Object.keys(definition.profiles)[0]!;
const other = Object.keys(definition.profiles).find((p) => p !== lead)!;

test.beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "rkat-web-build-"));
  cli("rkat-web-pack", "keygen", "-o", join(work, "key.pem"));
  const pack = join(work, "research-team.mobpack");
  const built = cli("rkat", "mob", "pack", EXAMPLE, "-o", pack, "--sign", join(work, "key.pem"), "--signer-id", "e2e-signer");
  digest = /digest\s+([0-9a-f]{64})/.exec(built)![1]!;
  cli("rkat", "mob", "web", "build", pack, "-o", join(work, "site"));
});

test.beforeEach(async () => {
  server = await serveStatic(join(work, "site"));
  await fetch(`${PROXY}/_sim/reset`, { method: "POST" });
});

test.afterEach(async () => {
  await server.close();
});

test.afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

test("the site shows the pack, runs its mob in a Worker, chats with the orchestrator and shows members' events", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  // The provider requests (made by the Worker), with the key header they carried.
  const keys: string[] = [];
  page.context().on("request", (request) => {
    if (request.url().startsWith(`${PROXY}/anthropic/`) && request.method() === "POST") keys.push(request.headers()["x-api-key"] ?? "(none)");
  });

  await page.goto(`${server.url}/`);
  const name = /^\s*name\s*=\s*"([^"]+)"/m.exec(manifest)![1]!;
  await expect(page.getByTestId("pack-name")).toHaveText(name);
  await expect(page.getByTestId("pack-digest")).toHaveText(digest);
  await expect(page.getByTestId("pack-signer")).toContainText("e2e-signer · not checked yet");
  // The page asks for base URLs, defaulting to the local proxy, and holds no key.
  await expect(page.locator("input[name=anthropic]")).toHaveValue("http://localhost:3100/anthropic");
  await expect(page.locator("input[name=gemini]")).toHaveValue("http://localhost:3100/gemini");
  for (const provider of ["anthropic", "openai", "gemini"]) await page.locator(`input[name=${provider}]`).fill(`${PROXY}/${provider}`);
  await page.getByTestId("start").click();

  await expect(page.getByTestId("status")).toHaveAttribute("data-state", "ready");
  await expect(page.getByTestId("pack-signer")).toContainText("e2e-signer · verified by the runtime (strict policy)");
  const rows = page.locator("[data-testid=members] tbody tr[data-member]");
  await expect(rows).toHaveCount(Object.keys(definition.profiles).length);
  await expect(rows.first()).toHaveAttribute("data-member", lead);
  await expect(page.getByTestId("send-to")).toHaveValue(lead);

  // A plain message: the orchestrator answers in the chat.
  await page.getByTestId("send-text").fill("hello team");
  await page.getByTestId("send").click();
  const reply = page.getByTestId("chat-reply").first();
  await expect(reply).toHaveAttribute("data-state", "done");
  await expect(reply).toContainText(`${lead}: `);
  await expect(reply).toContainText("hello team");
  const leadLog = page.locator(`[data-testid=member-log][data-member="${lead}"]`);
  await expect(leadLog).toContainText("run started: hello team");
  await expect(leadLog).toContainText("run completed");

  // The orchestrator messages another member with the comms tools: that member's log shows it.
  await page.getByTestId("send-text").fill(`Send a message to ${other}: start the survey.`);
  await page.getByTestId("send").click();
  await expect(page.getByTestId("chat-reply").nth(1)).toHaveAttribute("data-state", "done");
  await expect(leadLog).toContainText("tool call send_message");
  const otherLog = page.locator(`[data-testid=member-log][data-member="${other}"]`);
  await expect(otherLog).toContainText(`message from ${lead}`);
  await expect(otherLog).toContainText("run completed");

  // Every provider request carried the placeholder key, never a real one.
  expect(keys.length).toBeGreaterThanOrEqual(3);
  expect(new Set(keys)).toEqual(new Set(["proxy"]));
  expect(errors).toEqual([]);
});

test("the site refuses a pack replaced after the build (pinned signer key)", async ({ page }) => {
  // Replace the site's pack with one signed by another key: the runtime in the Worker refuses it.
  const other = mkdtempSync(join(tmpdir(), "rkat-web-build-other-"));
  const sitePack = join(work, "site", "research-team.mobpack");
  const original = readFileSync(sitePack);
  try {
    cli("rkat-web-pack", "keygen", "-o", join(other, "key.pem"));
    cli("rkat-web-pack", "build", EXAMPLE, "-o", sitePack, "--sign", join(other, "key.pem"), "--signer-id", "e2e-signer");
    await page.goto(`${server.url}/`);
    await page.locator("input[name=anthropic]").fill(`${PROXY}/anthropic`);
    await page.getByTestId("start").click();
    await expect(page.getByTestId("status")).toHaveAttribute("data-state", "error");
    await expect(page.getByTestId("status")).toContainText("UNTRUSTED_MOBPACK");
    await expect(page.getByTestId("start")).toBeEnabled();
    // Focus is back on Start (it was disabled while starting), to retry by keyboard.
    await expect(page.getByTestId("start")).toBeFocused();
  } finally {
    writeFileSync(sitePack, original);
    rmSync(other, { recursive: true, force: true });
  }
});

test("the site works from a sub-path: the Worker links the pack part served beside it, nothing from the old reader", async ({ page }) => {
  // The parent directory served: the site is at /site/, as under a path prefix of a bigger host.
  const parent = await serveStatic(work);
  const wasm: string[] = [];
  page.context().on("request", (request) => {
    if (request.url().endsWith(".wasm")) wasm.push(new URL(request.url()).pathname);
  });
  try {
    await page.goto(`${parent.url}/site/`);
    await expect(page.getByTestId("pack-digest")).toHaveText(digest);
    for (const provider of ["anthropic", "openai", "gemini"]) await page.locator(`input[name=${provider}]`).fill(`${PROXY}/${provider}`);
    await page.getByTestId("start").click();
    await expect(page.getByTestId("status")).toHaveAttribute("data-state", "ready");
    await expect(page.getByTestId("pack-signer")).toContainText("verified by the runtime");
    expect(wasm).toContain("/site/pkg/meerkat_web_runtime_pack.wasm");
    expect(wasm).toContain("/site/pkg/meerkat_web_runtime_mobs.wasm");
    expect(wasm.filter((path) => !path.startsWith("/site/pkg/meerkat_web_runtime") || path.includes("mobpack"))).toEqual([]);
  } finally {
    await parent.close();
  }
});

/** Open the site, point every provider at the test proxy (or `base`) and start the mob. */
async function startSite(page: Page, base = PROXY): Promise<void> {
  await page.goto(`${server.url}/`);
  for (const provider of ["anthropic", "openai", "gemini"]) await page.locator(`input[name=${provider}]`).fill(`${base}/${provider}`);
  await page.getByTestId("start").click();
}

test("a narrow window (390 px, a phone) gets one column: nothing is cut off or scrolls sideways", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await startSite(page);
  await expect(page.getByTestId("status")).toHaveAttribute("data-state", "ready");
  await expect(page.locator("[data-testid=members] tbody tr")).toHaveCount(Object.keys(definition.profiles).length);
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: document.documentElement.clientWidth }));
  expect(widths.page).toBeLessThanOrEqual(widths.window);
  // The chat's Send and the member events are within the window's width.
  for (const box of [await page.getByTestId("send").boundingBox(), await page.getByTestId("logs").boundingBox()]) {
    expect(box!.x + box!.width).toBeLessThanOrEqual(widths.window);
  }
});

for (const file of ["site.json", "dist/rkat-web-worker.js"]) {
  test(`a site whose ${file} is not served says so on the page instead of staying at "loading…"`, async ({ page }) => {
    const path = join(work, "site", file);
    renameSync(path, `${path}.away`);
    try {
      await page.goto(`${server.url}/`);
      await expect(page.getByTestId("status")).toHaveAttribute("data-state", "error");
      await expect(page.getByTestId("status")).toContainText(file === "site.json" ? "site.json: HTTP 404" : file);
    } finally {
      renameSync(`${path}.away`, path);
    }
  });
}

test("by keyboard: the message field gets the focus when the mob is ready, Send waits for text, Enter sends, the reply is in a live log", async ({ page }) => {
  await startSite(page);
  await expect(page.getByRole("status")).toHaveAttribute("data-state", "ready");
  const message = page.getByRole("textbox", { name: "Message" });
  await expect(message).toBeFocused();
  const send = page.getByRole("button", { name: "Send" });
  await expect(send).toBeDisabled();
  await page.keyboard.type("hello by keyboard");
  await expect(send).toBeEnabled();
  await page.keyboard.press("Enter");
  await expect(send).toBeDisabled();
  await expect(message).toBeFocused();
  const reply = page.getByRole("log", { name: "Chat" }).getByTestId("chat-reply");
  await expect(reply).toHaveAttribute("data-state", "done");
  await expect(reply).toContainText("hello by keyboard");
  await expect(page.getByRole("combobox", { name: "Send to" })).toHaveValue(lead);
});

test("a wrong base URL: the failed reply says what to check, and the mob restarts with corrected URLs without a reload", async ({ page }) => {
  // Port 9 on 127.0.0.1: nothing listens, as when the proxy is not running.
  await startSite(page, "http://127.0.0.1:9");
  await expect(page.getByTestId("status")).toHaveAttribute("data-state", "ready");
  await page.getByTestId("send-text").fill("hello?");
  await page.getByTestId("send-text").press("Enter");
  const failed = page.getByTestId("chat-reply").first();
  await expect(failed).toHaveAttribute("data-state", "failed");
  await expect(failed).toContainText("NETWORK_ERROR");
  await expect(failed).toContainText(`does it allow ${server.url}?`);

  for (const provider of ["anthropic", "openai", "gemini"]) await page.locator(`input[name=${provider}]`).fill(`${PROXY}/${provider}`);
  await page.getByRole("button", { name: "Restart with these URLs" }).click();
  await expect(page.getByTestId("chat")).toContainText("restarted with the new base URLs");
  await expect(page.getByTestId("status")).toHaveAttribute("data-state", "ready");
  await expect(page.locator("[data-testid=members] tbody tr")).toHaveCount(Object.keys(definition.profiles).length);
  await page.getByTestId("send-text").fill("hello again");
  await page.getByTestId("send-text").press("Enter");
  const reply = page.getByTestId("chat-reply").nth(1);
  await expect(reply).toHaveAttribute("data-state", "done");
  await expect(reply).toContainText("hello again");
  // One log per member: the old mob's logs went with it.
  await expect(page.locator(`[data-testid=member-log][data-member="${lead}"]`)).toHaveCount(1);
});

test("a member's event log stays bounded in a long session and does not pull the reader back down", async ({ page }) => {
  await page.goto(`${server.url}/`);
  await expect(page.getByTestId("status")).toHaveAttribute("data-state", "idle");
  // The page's own view, fed as the page feeds it: thousands of events, then a reply of 200,000 characters.
  const sizes = await page.evaluate(async () => {
    const { View } = await import(`${location.origin}/view.js`);
    const view = new View();
    const tools = Array.from({ length: 3000 }, (_, i) => ({ type: "tool_call_requested", name: `tool${i}`, args: {} }));
    for (let i = 0; i < tools.length; i += 100) view.appendEvents("lead", tools.slice(i, i + 100));
    view.appendEvents("lead", [{ type: "tool_call_requested", name: "write_file", args: { content: "x".repeat(100_000) } }]);
    view.appendEvents("lead", Array.from({ length: 20_000 }, () => ({ type: "text_delta", delta: "0123456789" })));
    const list = document.querySelector("#logs ol")!;
    const lines = list.children.length;
    const longest = Math.max(...[...list.children].map((li) => li.textContent!.length));
    const newestTool = [...list.querySelectorAll("li[data-type=tool_call_requested]")].at(-2)?.textContent;
    // Scrolled up to read: new events do not scroll the log back down.
    list.scrollTop = 0;
    view.appendEvents("lead", [{ type: "turn_started", turnNumber: 2 }]);
    return { lines, longest, newestTool, scrollTop: list.scrollTop, last: list.lastElementChild!.textContent };
  });
  expect(sizes.lines).toBeLessThanOrEqual(500);
  expect(sizes.longest).toBeLessThanOrEqual(2000);
  expect(sizes.newestTool).toBe("tool call tool2999 {}");
  expect(sizes.last).toBe("turn 2");
  expect(sizes.scrollTop).toBe(0);
});

test("a turn that hangs (the provider stops answering) can be stopped from the page, and the chat goes on", async ({ page }) => {
  await startSite(page);
  await expect(page.getByTestId("status")).toHaveAttribute("data-state", "ready");
  await page.getByTestId("send-text").fill("tell me everything [[sim:hang]]");
  await page.getByTestId("send-text").press("Enter");
  const hung = page.getByTestId("chat-reply").first();
  await expect(page.locator(`[data-testid=member-log][data-member="${lead}"]`)).toContainText("text:");
  await expect(hung).toHaveAttribute("data-state", "waiting");
  await hung.getByRole("button", { name: `Stop ${lead}'s turn` }).click();
  await expect(hung).not.toHaveAttribute("data-state", "waiting");
  await expect(hung).toContainText("stopped");
  await expect(page.getByTestId("send-text")).toBeFocused();
  await page.getByTestId("send-text").fill("still there?");
  await page.getByTestId("send-text").press("Enter");
  await expect(page.getByTestId("chat-reply").nth(1)).toHaveAttribute("data-state", "done");
  await expect(page.getByTestId("chat-reply").nth(1)).toContainText("still there?");
});

test("the chat follows the conversation: the newest reply is in view once the chat is longer than its box", async ({ page }) => {
  await startSite(page);
  await expect(page.getByTestId("status")).toHaveAttribute("data-state", "ready");
  for (let i = 0; i < 4; i++) {
    await page.getByTestId("send-text").fill(`message ${i} [[sim:deltas=400]]`);
    await page.getByTestId("send-text").press("Enter");
    const reply = page.getByTestId("chat-reply").nth(i);
    await expect(reply).toHaveAttribute("data-state", "done");
    await expect(reply).toBeInViewport();
  }
});

test("base URLs pre-filled by the address (a link someone sent) are pointed out before the mob starts", async ({ page }) => {
  await page.goto(`${server.url}/?openai=${encodeURIComponent("http://127.0.0.1:9/elsewhere")}`);
  await expect(page.locator("input[name=openai]")).toHaveValue("http://127.0.0.1:9/elsewhere");
  await expect(page.getByTestId("url-note")).toContainText("openai base URL(s) came from this page's address");
  await page.goto(`${server.url}/`);
  await expect(page.getByTestId("status")).toHaveAttribute("data-state", "idle");
  await expect(page.getByTestId("url-note")).toHaveCount(0);
});

test("a runtime Worker that dies mid-session is said on the page (not an error per frame), and Restart brings the mob back", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await startSite(page);
  await expect(page.getByTestId("status")).toHaveAttribute("data-state", "ready");
  // An uncaught error in the Worker: the runtime client calls it dead (RUNTIME_TRAPPED).
  const worker = page.workers().find((w) => w.url().endsWith("/worker.js"))!;
  await worker.evaluate(() => void setTimeout(() => { throw new Error("the Worker crashed"); }));
  await expect(page.getByTestId("status")).toHaveAttribute("data-state", "error");
  await expect(page.getByTestId("status")).toContainText("RUNTIME_TRAPPED");
  // The crash itself reaches the page; nothing more (no uncaught RUNTIME_TRAPPED from the page's polling).
  expect(errors.filter((message) => !message.includes("the Worker crashed"))).toEqual([]);
  await page.getByRole("button", { name: "Restart with these URLs" }).click();
  await expect(page.getByTestId("status")).toHaveAttribute("data-state", "ready");
  await page.getByTestId("send-text").fill("back again");
  await page.getByTestId("send-text").press("Enter");
  await expect(page.getByTestId("chat-reply").first()).toHaveAttribute("data-state", "done");
});
