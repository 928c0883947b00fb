// Size: the wasm as built, and what a real consumer app ships (the tiny
// Vite app in bench/size-app: page + Worker + wasm), gzip -9 each; and each
// provider module's estimated share of the wasm (size-modules.mjs).
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "vite";
import { benchSizeModules } from "./size-modules.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export const SIZE_TARGET_GZIP = 120_000; // 120 KB gzip total
export const REFERENCE_WASM_GZIP = 10_800_000; // the reference implementation: 10.8 MB gzip wasm

const gzip9 = (bytes) => gzipSync(bytes, { level: 9 }).length;

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

export async function benchSize() {
  const wasmBytes = await readFile(here("../pkg/meerkat_web_runtime_bg.wasm"));
  const wasm = { raw: wasmBytes.length, gzip: gzip9(wasmBytes) };

  const outDir = here("./size-app/dist");
  await build({ configFile: here("./size-app/vite.config.mjs"), logLevel: "silent" });
  const files = [];
  for await (const path of walk(outDir)) {
    if (!/\.(js|wasm)$/.test(path)) continue;
    const bytes = await readFile(path);
    files.push({ file: relative(outDir, path), raw: bytes.length, gzip: gzip9(bytes) });
  }
  files.sort((a, b) => a.file.localeCompare(b.file));
  const total = {
    raw: files.reduce((s, f) => s + f.raw, 0),
    gzip: files.reduce((s, f) => s + f.gzip, 0),
    jsGzip: files.filter((f) => f.file.endsWith(".js")).reduce((s, f) => s + f.gzip, 0),
  };
  const modules = await benchSizeModules();
  return { wasm, app: { files, total }, target: SIZE_TARGET_GZIP, reference: { wasmGzip: REFERENCE_WASM_GZIP }, modules };
}
