// Builds the bench page with Vite, serves it with `vite preview` on
// 127.0.0.1 (a free port), opens it in headless Chromium and hands the
// caller a `call(name, opts)` that runs `window.bench[name](opts)`.
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build, preview } from "vite";

const configFile = fileURLToPath(new URL("./vite.config.mjs", import.meta.url));

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Run `fn({ call, userAgent, version, browser, page })` against the bench page (browser and page: for tracing by hand); always cleans up. */
export async function withBenchPage(fn) {
  await build({ configFile, logLevel: "silent" });
  const server = await preview({ configFile, logLevel: "silent", preview: { host: "127.0.0.1", port: 0 } });
  const { port } = server.httpServer.address();
  const origin = `http://127.0.0.1:${port}`;
  let browser;
  try {
    // gc(): the ready samples free the wasm modules of the sample before (see ready.mjs).
    // BENCH_JS_FLAGS: more V8 flags for an experiment by hand (say --no-liftoff).
    const jsFlags = ["--expose-gc", process.env.BENCH_JS_FLAGS].filter(Boolean).join(" ");
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: [...CHROMIUM_ARGS, `--js-flags=${jsFlags}`] });
    const context = await browser.newContext();
    // Listen only (no interception, which would slow every request): every
    // request the page and its workers make must stay on 127.0.0.1.
    const foreign = [];
    context.on("request", (request) => {
      const url = request.url();
      if (!/^(http:\/\/127\.0\.0\.1[:/]|data:|blob:)/.test(url)) foreign.push(url);
    });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction(() => document.title === "bench ready");
    const userAgent = await page.evaluate(() => window.bench.userAgent());
    const call = async (name, opts) => {
      try {
        return await page.evaluate(([n, o]) => window.bench[n](o), [name, opts]);
      } catch (error) {
        throw new Error(`browser bench ${name} failed: ${error.message}${errors.length ? `\npage errors: ${errors.join("\n")}` : ""}`);
      } finally {
        if (foreign.length) throw new Error(`requests left 127.0.0.1: ${foreign.join(", ")}`);
      }
    };
    return await fn({ call, userAgent, version: browser.version(), browser, page });
  } finally {
    await browser?.close();
    await server.close();
  }
}
