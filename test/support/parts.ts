/** The core's lazily linked parts (src/mob/part.ts), as the part tests see them. */
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import * as wasm from "@rkat/web/wasm/meerkat_web_runtime.js";
import { linkTo, type CorePart } from "../../src/mob/part.js";

const PRIMARY = new URL("../../pkg/meerkat_web_runtime_bg.wasm", import.meta.url);

/** The loaded core instance's exports (`initSync` returns them once loaded; else it loads the core). */
export function coreExports(): WebAssembly.Exports {
  const glue = wasm as unknown as { initSync(input: { module: BufferSource }): WebAssembly.Exports };
  return glue.initSync({ module: readFileSync(PRIMARY) });
}

/** `part` instantiates on the core of its build, and does not link to a core of another build. */
export async function expectOwnBuildOnly(part: CorePart): Promise<void> {
  const exports = coreExports();
  const module = new WebAssembly.Module(readFileSync(part.url));
  expect(WebAssembly.Module.imports(module).every((i) => i.module === "primary")).toBe(true);
  const build = exports.part_build as WebAssembly.Global;
  const own = new WebAssembly.Instance(module, { primary: exports as WebAssembly.ModuleImports });
  expect((own.exports.part_build as WebAssembly.Global).value).toBe(build.value);
  // The same core but another build's digest: refused before any slot is set.
  const other = { ...exports, part_build: new WebAssembly.Global({ value: "i32" }, build.value ^ 1) };
  const error = await linkTo(other, part).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: "WASM_INIT_FAILED" });
  expect(String((error as Error).message)).toContain("another build");
  expect(String((error as Error).message)).toContain(part.file);
}
