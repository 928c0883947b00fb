/** The runtime (wasm core and its fetches) lives in a Web Worker, not on the page. */
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
  const runtimeWorker = workers.find((w) => w.resources.some((name) => name.endsWith(".wasm")));
  expect(runtimeWorker, `worker resources: ${JSON.stringify(workers.map((w) => w.resources))}`).toBeDefined();
  expect(runtimeWorker!.isWorkerScope).toBe(true);
  expect(runtimeWorker!.hasDocument).toBe(false);
  // The wasm glue is bundled into the worker's chunk (no request of its
  // own); the worker loaded the wasm beside it and made the LLM request.
  expect(runtimeWorker!.resources.filter((name) => /meerkat_web_runtime[^/]*\.js$/.test(name))).toEqual([]);
  expect(runtimeWorker!.resources.some((name) => name.startsWith("http://127.0.0.1:3100/anthropic/v1/messages"))).toBe(true);

  // The page itself never fetched the wasm, its glue, or the provider.
  const pageResources = await page.evaluate(() => performance.getEntriesByType("resource").map((entry) => entry.name));
  expect(pageResources.filter((name) => /\.wasm$|meerkat_web_runtime|\/anthropic\//.test(name))).toEqual([]);
  // The one .wasm request seen by the browser was the worker's.
  expect(wasmRequests).toHaveLength(1);
  expect(runtimeWorker!.resources).toContain(wasmRequests[0]);
});
