/**
 * `connectRuntime` against real Worker threads (test/support/thread.ts):
 * Workers that fail to start, never serve, are terminated while it waits,
 * run another release of the package, or are used again after a runtime
 * was destroyed in them; and bad configs, refused as `MeerkatRuntime.init`
 * refuses them.
 */
import { expect, test } from "vitest";
import { MeerkatRuntime } from "@rkat/web";
import { connectRuntime, type WorkerRuntime } from "@rkat/web/worker";
import { VERSION } from "../src/version.js";
import { outcomeOf } from "./support/features.js";
import { resetSim, simConfig, wasm } from "./support/runtime.js";
import { endedAfterEachTest, otherVersionWorker, runtimeWorker, threadWorker } from "./support/thread.js";

const started = endedAfterEachTest();

test("a Worker whose script throws at start: connectRuntime rejects with RUNTIME_TRAPPED, naming the error", async () => {
  const worker = started(threadWorker("throw new Error('no wasm for you');"));
  expect(await outcomeOf(() => connectRuntime(worker, simConfig()))).toEqual({
    name: "MeerkatError",
    code: "RUNTIME_TRAPPED",
    message: "the runtime worker failed: no wasm for you; create a new worker and runtime",
  });
});

test("a Worker that never calls exposeRuntime: connectRuntime waits until worker.terminate(), which rejects it", async () => {
  const worker = started(threadWorker("/* serves nothing */"));
  const connecting = connectRuntime(worker, simConfig());
  void worker.terminate();
  await expect(connecting).rejects.toMatchObject({ code: "RUNTIME_TRAPPED", message: expect.stringContaining("terminated") });
});

test("worker.terminate() while connectRuntime waits for init: it rejects with RUNTIME_TRAPPED", async () => {
  const worker = started(runtimeWorker());
  const connecting = connectRuntime(worker, simConfig());
  void worker.terminate();
  await expect(connecting).rejects.toMatchObject({ code: "RUNTIME_TRAPPED", message: expect.stringContaining("terminated") });
});

test("connectRuntime on a Worker the page terminated (a runtime's Worker): refused at once with RUNTIME_TRAPPED, not left waiting", async () => {
  const worker = started(runtimeWorker());
  await connectRuntime(worker, simConfig());
  await worker.terminate();
  await expect(connectRuntime(worker, simConfig())).rejects.toMatchObject({
    code: "RUNTIME_TRAPPED",
    message: "the runtime worker failed: it was terminated (worker.terminate()); create a new worker and runtime",
  });
});

test("a Worker of another package version is refused with VERSION_MISMATCH, as MeerkatRuntime.init refuses a core of another version", async () => {
  const worker = started(otherVersionWorker("9.9.9"));
  const refusal = {
    name: "MeerkatError",
    code: "VERSION_MISMATCH",
    message: `the page is version ${VERSION} but the worker is 9.9.9: rebuild (npm run build) or reinstall so both match`,
  };
  expect(await outcomeOf(() => connectRuntime(worker, simConfig()))).toEqual(refusal);
  // Refused before anything started there: asked again, it says the same.
  expect(await outcomeOf(() => connectRuntime(worker, simConfig()))).toEqual(refusal);
});

test("bad configs are refused with the code and message of MeerkatRuntime.init (named after connectRuntime)", async () => {
  const configs: unknown[] = [
    5,
    null,
    [],
    { eventQueueCapacity: -1 },
    { model: () => "claude-sonnet-4-6" },
    { maxTokens: Number.NaN },
    { retry: { maxRetries: "x" } },
    { nope: 1 },
    { realms: 5 },
    { realms: { team: { bindings: { a: { provider: "anthropic", credentialSource: "inline" } } } } },
  ];
  const worker = started(runtimeWorker());
  for (const bad of configs) {
    const onMain = await outcomeOf(() => MeerkatRuntime.init(wasm, bad as never));
    const inWorker = await outcomeOf(() => connectRuntime(worker, bad as never));
    expect(onMain).toMatchObject({ code: "INVALID_CONFIG" });
    expect(JSON.stringify(inWorker).replace("connectRuntime: ", "MeerkatRuntime.init: "), JSON.stringify(bad)).toBe(JSON.stringify(onMain));
  }
  // Nothing was started by the refused configs: the Worker takes a good one.
  const runtime = await connectRuntime(worker, simConfig());
  expect(await runtime.listSessions()).toEqual([]);
  await runtime.destroy();
});

/** A runtime's page tool, hook and stream at work: what the model and the page saw. */
async function exercise(runtime: WorkerRuntime, tag: string): Promise<unknown> {
  const hooked: string[] = [];
  await runtime.registerTool("clock", "Time", { type: "object" }, () => `noon-${tag}`);
  await runtime.registerHook("run_started", () => void hooked.push(tag));
  const session = await runtime.createSession();
  const text = (await session.turn("read the clock")).text;
  let streamed = 0;
  for await (const event of session.stream("hello")) if (event.type === "text_delta") streamed++;
  return { text, hooked, streamed: streamed > 0 };
}

test("a Worker used again after runtime.destroy(): the new runtime's page tools and hooks answer, not the old client", async () => {
  await resetSim();
  const worker = started(runtimeWorker());
  const first = await connectRuntime(worker, simConfig());
  expect(await exercise(first, "1")).toEqual({ text: "clock returned: noon-1.", hooked: ["1", "1"], streamed: true });
  await first.destroy();
  const second = await connectRuntime(worker, simConfig());
  expect(await exercise(second, "2")).toEqual({ text: "clock returned: noon-2.", hooked: ["2", "2"], streamed: true });
  await second.destroy();
});

test("a connectRuntime refused by a Worker that already serves a runtime leaves that runtime working", async () => {
  await resetSim();
  const worker = started(runtimeWorker());
  const runtime = await connectRuntime(worker, simConfig());
  await expect(connectRuntime(worker, simConfig())).rejects.toMatchObject({
    code: "INVALID_ARGUMENT",
    message: "this worker already serves a runtime; destroy it first",
  });
  expect(await exercise(runtime, "1")).toEqual({ text: "clock returned: noon-1.", hooked: ["1", "1"], streamed: true });
  await runtime.destroy();
});
