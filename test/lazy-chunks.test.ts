/**
 * The package's lazily loaded chunks gone missing, as after a deploy that
 * replaced the files under an open page (or a copy of `dist/rkat-web.js`
 * without its chunks): the first `createMob` and `inspectMobpack` reject
 * with a `MeerkatError` that says what to do, not the bundler's bare
 * TypeError, and the runtime goes on working. The same in a Worker
 * (`dist/rkat-web-worker.js`), whose mob methods are a chunk of their own.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, expect, test } from "vitest";
import type * as Main from "@rkat/web";
import type * as Worker from "@rkat/web/worker";
import * as wasm from "@rkat/web/wasm/meerkat_web_runtime.js";
import { exampleFiles, pack } from "./support/pack.js";
import { resetSim, simConfig } from "./support/runtime.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const copies: string[] = [];
afterAll(() => copies.forEach((copy) => rmSync(copy, { recursive: true, force: true })));

/** `@rkat/web/bundle` (or `entry`) with only these of dist/'s files beside it (and pkg/), imported from its own place. */
async function bundleWith<T = typeof Main>(files: string[], entry = "rkat-web.js"): Promise<T> {
  const copy = mkdtempSync(join(tmpdir(), "rkat-lazy-chunks-"));
  copies.push(copy);
  for (const file of [entry, ...files]) {
    for (const name of [file, `${file}.map`]) cpSync(join(root, "dist", name), join(copy, "dist", name));
  }
  cpSync(join(root, "pkg"), join(copy, "pkg"), { recursive: true });
  return (await import(/* @vite-ignore */ pathToFileURL(join(copy, "dist", entry)).href)) as T;
}

test("a missing lazy chunk: createMob and inspectMobpack reject with WASM_INIT_FAILED, and the runtime still runs turns", async () => {
  // The single-file build alone, beside the package's wasm: its chunks are not there.
  const { MeerkatRuntime, MeerkatError } = await bundleWith([]);

  await resetSim();
  const runtime = await MeerkatRuntime.init(wasm, simConfig());
  try {
    const definition = { id: "team", orchestrator: { profile: "lead" }, profiles: { lead: { model: "claude-sonnet-4-6" } } };
    const refusals = [await runtime.createMob(definition).catch((e: unknown) => e), await MeerkatRuntime.inspectMobpack(wasm, pack(exampleFiles())).catch((e: unknown) => e)];
    for (const error of refusals) {
      // (The page rebuilds the Worker's error: a `MeerkatError` of the page's copy of the package.)
      expect(error).toMatchObject({ name: "MeerkatError", code: "WASM_INIT_FAILED", message: expect.stringMatching(/^could not load a part of @rkat\/web \(.*\): serve all its files from one build, and reload the page after a new deploy$/) });
    }
    expect(await runtime.listMobs()).toEqual([]);
    expect((await runtime.createSession().turn("Hello")).text).toContain("You said: Hello");
  } finally {
    runtime.destroy();
  }
});

test("the pack chunk present, the mobs chunk it links the pack part with missing: inspectMobpack rejects with WASM_INIT_FAILED naming that chunk", async () => {
  const { MeerkatRuntime, MeerkatError } = await bundleWith(["rkat-web-pack.js"]);
  const error = await MeerkatRuntime.inspectMobpack(wasm, pack(exampleFiles())).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MeerkatError);
  expect(error).toMatchObject({ code: "WASM_INIT_FAILED", message: expect.stringMatching(/^could not load a part of @rkat\/web \(.*rkat-web-lazy-mobs\.js.*\): serve all its files/) });
});

/** `@rkat/web/worker-bundle` with only these of its chunks: a runtime served over a real MessageChannel. */
async function workerWith(files: string[]) {
  const { connectRuntime, exposeRuntime } = await bundleWith<typeof Worker>(files, "rkat-web-worker.js");
  const channel = new MessageChannel();
  exposeRuntime(undefined, { endpoint: channel.port1 as never });
  await resetSim();
  const runtime = await connectRuntime(channel.port2 as never, simConfig());
  const close = async () => {
    await runtime.destroy();
    channel.port1.close();
    channel.port2.close();
  };
  return { runtime, close };
}

const team = { id: "team", orchestrator: { profile: "lead" }, profiles: { lead: { model: "claude-sonnet-4-6" } } };
const missing = (chunk: string) => new RegExp(`^could not load a part of @rkat/web \\(.*${chunk.replaceAll(".", "\\.")}.*\\): serve all its files from one build, and reload the page after a new deploy$`);

test("a Worker without its mob methods' chunk: the first mob call rejects with WASM_INIT_FAILED naming it, and the runtime still runs turns", async () => {
  // The runtime's own mobs chunk is there: only the Worker host's is missing.
  const { runtime, close } = await workerWith(["rkat-web-worker-lazy-mobs.js", "rkat-web-worker-pack.js"]);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      // (Tried again at the next call: the chunk may be back.)
      const error = await runtime.createMob(team).catch((e: unknown) => e);
      // (The page rebuilds the Worker's error: a `MeerkatError` of the page's copy of the package.)
      expect(error).toMatchObject({ name: "MeerkatError", code: "WASM_INIT_FAILED", message: expect.stringMatching(missing("rkat-web-worker-expose-mob.js")) });
    }
    // Nothing was created: the core has no mob, the Worker's calls that need none still answer.
    expect(await runtime.listMobs()).toEqual([]);
    expect((await (await runtime.createSession()).turn("Hello")).text).toContain("You said: Hello");
  } finally {
    await close();
  }
});

test("a Worker with its mob methods' chunk but not the runtime's mobs chunk: createMob rejects with WASM_INIT_FAILED naming that one", async () => {
  const { runtime, close } = await workerWith(["rkat-web-worker-expose-mob.js", "rkat-web-worker-pack.js"]);
  try {
    const error = await runtime.createMob(team).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "MeerkatError", code: "WASM_INIT_FAILED", message: expect.stringMatching(missing("rkat-web-worker-lazy-mobs.js")) });
    expect(await runtime.listMobs()).toEqual([]);
    expect((await (await runtime.createSession()).turn("Hello")).text).toContain("You said: Hello");
  } finally {
    await close();
  }
});
