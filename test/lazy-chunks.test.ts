/**
 * The package's lazily loaded chunks gone missing, as after a deploy that
 * replaced the files under an open page (or a copy of `dist/rkat-web.js`
 * without its chunks): the first `createMob` and `inspectMobpack` reject
 * with a `MeerkatError` that says what to do, not the bundler's bare
 * TypeError, and the runtime goes on working.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, expect, test } from "vitest";
import type * as Main from "@rkat/web";
import * as wasm from "@rkat/web/wasm/meerkat_web_runtime.js";
import { exampleFiles, pack } from "./support/pack.js";
import { resetSim, simConfig } from "./support/runtime.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const copies: string[] = [];
afterAll(() => copies.forEach((copy) => rmSync(copy, { recursive: true, force: true })));

/** `@rkat/web/bundle` with only these of dist/'s files beside it (and pkg/), imported from its own place. */
async function bundleWith(files: string[]): Promise<typeof Main> {
  const copy = mkdtempSync(join(tmpdir(), "rkat-lazy-chunks-"));
  copies.push(copy);
  for (const file of ["rkat-web.js", ...files]) {
    for (const name of [file, `${file}.map`]) cpSync(join(root, "dist", name), join(copy, "dist", name));
  }
  cpSync(join(root, "pkg"), join(copy, "pkg"), { recursive: true });
  return (await import(/* @vite-ignore */ pathToFileURL(join(copy, "dist", "rkat-web.js")).href)) as typeof Main;
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
      expect(error).toBeInstanceOf(MeerkatError);
      expect(error).toMatchObject({ code: "WASM_INIT_FAILED", message: expect.stringMatching(/^could not load a part of @rkat\/web \(.*\): serve all its files from one build, and reload the page after a new deploy$/) });
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
