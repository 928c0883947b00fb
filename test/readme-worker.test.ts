/**
 * The README's "In a Web Worker" and "Without a bundler" examples, run as
 * written in a real Worker (a `worker_threads` thread, test/support/thread.ts)
 * against the simulated provider. The Worker's script is the README's
 * worker file; `new Worker(...)` starts that thread (Node has no module
 * Workers by URL), and `config` is the simulator's. A last test checks that
 * every line of those README blocks appears here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect, test } from "vitest";
import { MeerkatError } from "@rkat/web";
import type * as Main from "@rkat/web";
import type * as WorkerApi from "@rkat/web/worker";
import { ROOT } from "./support/cli.js";
import { resetSim, simConfig } from "./support/runtime.js";
import { endedAfterEachTest, threadWorker, type ThreadWorker } from "./support/thread.js";

const started = endedAfterEachTest();
const fileUrl = (path: string) => pathToFileURL(join(ROOT, path)).href;

/** `new Worker(url, { type: "module" })`, starting the thread that runs `script` (the worker file's body). */
function workerClass(script: string) {
  return class {
    constructor(_url: URL, _options: { type: "module" }) {
      return started(threadWorker(script)) as never;
    }
  } as unknown as new (url: URL, options: { type: "module" }) => ThreadWorker;
}

test("In a Web Worker", async () => {
  await resetSim();
  const { anthropicBaseUrl, model } = simConfig();
  // worker.ts: the thread's `exposeRuntime` is @rkat/web/worker's, serving on the thread's port.
  const Worker = workerClass(`
    // ---- README: worker.ts ----
    exposeRuntime();
    // ---- end ----
  `);
  // ---- README: main.ts ----
  const { connectRuntime } = await import("@rkat/web/worker");
  const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  const runtime = await connectRuntime(worker, { anthropicApiKey: "proxy", anthropicBaseUrl, model });
  await runtime.registerTool("clock", "Current time", { type: "object" }, () => new Date().toISOString());
  const session = await runtime.createSession();
  for await (const event of session.stream("What time is it?")) { /* ... */ }
  // ---- end ----
  expect(session.lastResult.text).toContain("What time is it?");
  // The tool runs on the page when the model calls it.
  const timed = await session.turn("Call the clock tool, please.");
  expect(timed.toolCalls).toBe(1);
  await runtime.destroy();
});

test("Without a bundler: the single-file Worker build on both sides", async () => {
  await resetSim();
  const config = simConfig();
  const bundle = JSON.stringify(fileUrl("dist/rkat-web-worker.js"));
  // worker.js: the bundle's exposeRuntime(), served on the thread's port (a Worker's global scope in a browser).
  const Worker = workerClass(`
    const bundle = await import(${bundle});
    bundle.exposeRuntime(undefined, { endpoint: parentPort });
  `);
  // ---- README: app.js ----
  const { connectRuntime } = (await import(fileUrl("dist/rkat-web-worker.js"))) as typeof WorkerApi;
  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  const runtime = await connectRuntime(worker, config);
  // ---- end ----
  const session = await runtime.createSession();
  expect((await session.turn("Hello bundle")).text).toContain("Hello bundle");
  await runtime.destroy();
});

test("Without a bundler: the runtime directly; its errors are not the bundler entry's class", async () => {
  await resetSim();
  const config = simConfig();
  // ---- README: the runtime directly ----
  const { MeerkatRuntime } = (await import(fileUrl("dist/rkat-web.js"))) as typeof Main;
  const wasm = await import(fileUrl("pkg/meerkat_web_runtime.js"));
  const runtime = await MeerkatRuntime.init(wasm, config);
  // ---- end ----
  const session = runtime.createSession();
  expect((await session.turn("Hello")).text).toContain("Hello");
  // "Use one kind of entry per realm": two copies of the class.
  const refused = await session.turn("   ").catch((error: unknown) => error);
  expect(refused).toMatchObject({ name: "MeerkatError", code: "INVALID_ARGUMENT" });
  expect(refused).not.toBeInstanceOf(MeerkatError);
  runtime.destroy();
});

test("every line of those README blocks is run above", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const part = readme.slice(readme.indexOf("### In a Web Worker"), readme.indexOf("### API summary"));
  const mine = readFileSync(new URL(import.meta.url), "utf8");
  const blocks = [...part.matchAll(/```(?:typescript|js)\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks).toHaveLength(3);
  for (const line of blocks.flatMap((b) => b.split("\n"))) {
    let expected = line.trim();
    // Imports are dynamic here, of the same modules (the package's files by path).
    const imported = /^import .* from "(?:\.\/node_modules\/@rkat\/web\/)?(.*)";$/.exec(expected);
    if (imported) expected = imported[1]!;
    // The worker file's `exposeRuntime();` runs in the thread (the bundle's with the thread's port).
    if (expected === "exposeRuntime();") expected = "exposeRuntime(";
    if (expected && !expected.startsWith("//")) expect(mine, expected).toContain(expected);
  }
});
