/** The runtime (wasm core and its fetches) lives in a Web Worker, not on the page (which only compiles the wasm for it). */
import { expect, test } from "@playwright/test";
import { openDemo, sendAndWait } from "./helpers.js";

test("the wasm runtime is instantiated and runs in a Worker", async ({ page }) => {
  const wasmRequests: string[] = [];
  page.on("request", (request) => {
    if (request.url().endsWith(".wasm")) wasmRequests.push(request.url());
  });
  await openDemo(page);
  await sendAndWait(page, "Hello from the page");

  expect(page.workers().length).toBeGreaterThanOrEqual(1);
  // demo/src/worker.ts, built by Vite as a module worker chunk.
  expect(page.workers().some((worker) => /\/assets\/worker-[^/]+\.js$/.test(worker.url()))).toBe(true);
  const workers = await Promise.all(
    page.workers().map((worker) =>
      worker.evaluate(() => ({
        isWorkerScope: typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope,
        hasDocument: typeof (globalThis as { document?: unknown }).document !== "undefined",
        resources: performance.getEntriesByType("resource").map((entry) => entry.name),
      })),
    ),
  );
  // The worker that made the LLM request runs the runtime.
  const runtimeWorker = workers.find((w) => w.resources.some((name) => name.startsWith("http://127.0.0.1:3100/anthropic/v1/messages")));
  expect(runtimeWorker, `worker resources: ${JSON.stringify(workers.map((w) => w.resources))}`).toBeDefined();
  expect(runtimeWorker!.isWorkerScope).toBe(true);
  expect(runtimeWorker!.hasDocument).toBe(false);
  // The wasm glue is bundled into the worker's chunk (no request of its own).
  expect(runtimeWorker!.resources.filter((name) => /meerkat_web_runtime[^/]*\.js$/.test(name))).toEqual([]);
  // connectRuntime's head start: the page fetched and compiled the wasm while
  // the Worker started and handed the module over; the Worker instantiated
  // it without fetching it again. The page never ran it: no glue, no
  // provider request there.
  expect(runtimeWorker!.resources.filter((name) => name.endsWith(".wasm"))).toEqual([]);
  const pageResources = await page.evaluate(() => performance.getEntriesByType("resource").map((entry) => entry.name));
  expect(pageResources.filter((name) => /meerkat_web_runtime[^/]*\.js$|\/anthropic\//.test(name))).toEqual([]);
  // The one .wasm request seen by the browser was the page's.
  expect(wasmRequests).toHaveLength(1);
  expect(pageResources).toContain(wasmRequests[0]);
});
