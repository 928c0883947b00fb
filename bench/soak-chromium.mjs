// `createSession` and memory per idle session in Chromium: the package
// served unbundled (dist/ and pkg/ as ES modules, from a static server on
// 127.0.0.1, a free port) to a page in headless Chromium, where the same
// loop as soak-scenarios.mjs's `idle` runs on the main thread: `n`
// sessions timed in blocks of 100 calls (a page's clock ticks in 100 µs
// steps), a block of no-op commands (`listSkillSources()`) timed after
// each as the floor. Memory: the wasm memory's byteLength and
// `performance.memory.usedJSHeapSize` after gc() (Chromium started with
// --expose-gc and precise memory info).
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS } from "./browser/runner.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };

const PAGE = `<!doctype html><meta charset="utf-8"><title>soak</title>
<script type="module">
import { MeerkatRuntime } from "/dist/index.js";
import * as wasm from "/pkg/meerkat_web_runtime.js";
window.idle = async (n) => {
  const exports = await wasm.default();
  const runtime = await MeerkatRuntime.init(wasm, { anthropicApiKey: "x", anthropicBaseUrl: "http://127.0.0.1:9/anthropic", model: "claude-sonnet-4-6" });
  const config = { systemPrompt: "You are a concise assistant." };
  for (const s of Array.from({ length: 200 }, () => runtime.createSession(config))) s.destroy();
  const snapshot = () => { gc(); gc(); return { wasmBytes: exports.memory.buffer.byteLength, heapUsed: performance.memory.usedJSHeapSize }; };
  const before = snapshot();
  // Blocks of BLOCK calls: a page's clock ticks in 100 µs steps.
  const BLOCK = 100, blocks = Math.floor(n / BLOCK);
  const sessions = [], times = new Float64Array(blocks), floor = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const t0 = performance.now();
    for (let i = 0; i < BLOCK; i++) sessions.push(runtime.createSession(config));
    const t1 = performance.now();
    for (let i = 0; i < BLOCK; i++) runtime.listSkillSources();
    floor[b] = (performance.now() - t1) / BLOCK;
    times[b] = (t1 - t0) / BLOCK;
  }
  const after = snapshot();
  runtime.destroy();
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  return { sessions: sessions.length, block: BLOCK, before, after, createUs: median(times) * 1000, floorUs: median(floor) * 1000,
    createLastTenthUs: median(times.subarray(blocks - Math.ceil(blocks / 10))) * 1000,
    wasmBytesPerSession: (after.wasmBytes - before.wasmBytes) / n, heapBytesPerSession: (after.heapUsed - before.heapUsed) / n };
};
document.title = "ready";
</script>`;

/** Serve the page and the package's dist/ and pkg/ (nothing else). */
function serve() {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (path === "/soak.html") return res.writeHead(200, { "content-type": TYPES[".html"] }).end(PAGE);
    if (!/^\/(dist|pkg)\//.test(path)) return res.writeHead(404).end();
    try {
      const body = await readFile(join(root, path));
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

export async function benchIdleChromium({ n = 10_000 } = {}) {
  const server = await serve();
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: [...CHROMIUM_ARGS, "--js-flags=--expose-gc", "--enable-precise-memory-info"],
    });
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/soak.html`);
    await page.waitForFunction(() => document.title === "ready");
    try {
      return { ...(await page.evaluate((count) => window.idle(count), n)), chromium: browser.version() };
    } catch (error) {
      throw new Error(`soak chromium: ${error.message}${errors.length ? `\npage errors: ${errors.join("\n")}` : ""}`);
    }
  } finally {
    await browser?.close();
    await new Promise((resolve) => server.close(resolve));
  }
}
