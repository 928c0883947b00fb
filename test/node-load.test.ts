/**
 * In Node the core's wasm is read from pkg/ (no fetch of file: URLs): once,
 * when the glue is first loaded. A runtime, a pack inspection or a pack
 * read after that uses the loaded instance without reading the file again.
 */
import { expect, test, vi } from "vitest";
import { MeerkatRuntime } from "@rkat/web";
import { wasm } from "./support/runtime.js";
import { exampleFiles, pack } from "./support/pack.js";

const coreReads: string[] = [];
vi.mock("node:fs/promises", async (original) => {
  const fs = await original<typeof import("node:fs/promises")>();
  const readFile = ((file: Parameters<typeof fs.readFile>[0], ...rest: unknown[]) => {
    if (String(file).endsWith("meerkat_web_runtime_bg.wasm")) coreReads.push(String(file));
    return (fs.readFile as (...args: unknown[]) => unknown)(file, ...rest);
  }) as typeof fs.readFile;
  return { ...fs, readFile, default: { ...fs, readFile } };
});

test("the core's wasm file is read once, however many runtimes and packs use it", async () => {
  const first = await MeerkatRuntime.init(wasm, { anthropicApiKey: "x", model: "claude-sonnet-4-6" });
  const bytes = pack(exampleFiles());
  for (let i = 0; i < 3; i++) {
    await MeerkatRuntime.inspectMobpack(wasm, bytes);
    (await MeerkatRuntime.init(wasm, { anthropicApiKey: "x", model: "claude-sonnet-4-6" })).destroy();
  }
  first.destroy();
  expect(coreReads).toHaveLength(1);
});
