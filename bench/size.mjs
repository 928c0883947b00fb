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
  const atStart = await loadedAtStart(outDir);
  for (const f of files) f.lazy = !atStart.has(f.file);
  const sum = (list) => ({
    raw: list.reduce((s, f) => s + f.raw, 0),
    gzip: list.reduce((s, f) => s + f.gzip, 0),
    jsGzip: list.filter((f) => f.file.endsWith(".js")).reduce((s, f) => s + f.gzip, 0),
  });
  // The target is on what a visitor downloads: the files the page loads at
  // start. Lazy chunks (the mobpack reader: fetched only by
  // initFromMobpack/inspectMobpack) are listed and summed apart.
  const total = sum(files.filter((f) => !f.lazy));
  const lazy = sum(files.filter((f) => f.lazy));
  const modules = await benchSizeModules();
  return { wasm, reader: await readerWasm(), app: { files, total, lazy }, target: SIZE_TARGET_GZIP, reference: { wasmGzip: REFERENCE_WASM_GZIP }, modules };
}

/**
 * The built files the page loads before it can run a turn: from the entry
 * script of index.html, every static import and every
 * `new URL("…", import.meta.url)` (the Worker, the wasm), transitively.
 * Files reached only through a dynamic `import()` are left out: they load
 * when a feature asks for them.
 */
async function loadedAtStart(outDir) {
  const html = await readFile(join(outDir, "index.html"), "utf8");
  const entry = /<script[^>]*src="\.\/([^"]+)"/.exec(html)?.[1];
  if (!entry) throw new Error("size-app: no entry script in dist/index.html");
  const seen = new Set();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith(".js")) continue;
    const code = await readFile(join(outDir, file), "utf8");
    const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/") + 1) : "";
    const refs = [
      ...code.matchAll(/(?:from|import)\s*["'`]\.\/([^"'`]+)["'`]/g),
      ...code.matchAll(/new URL\(\s*["'`]([^"'`]+)["'`]\s*,\s*import\.meta\.url/g),
    ];
    for (const [, ref] of refs) queue.push(dir + ref.replace(/^\.\//, ""));
  }
  return seen;
}

/** The pack reader's own wasm (loaded only when a pack is opened). */
async function readerWasm() {
  const bytes = await readFile(here("../pkg/meerkat_mobpack_bg.wasm"));
  return { raw: bytes.length, gzip: gzip9(bytes) };
}
