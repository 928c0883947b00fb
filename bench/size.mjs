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
  const atStart = await loadedAt(outDir, [await entryScript(outDir)]);
  const groups = await lazyGroups(outDir, atStart);
  for (const f of files) f.lazy = groups.find((g) => g.files.has(f.file))?.name ?? (atStart.has(f.file) ? false : "lazy");
  const sum = (list) => ({
    raw: list.reduce((s, f) => s + f.raw, 0),
    gzip: list.reduce((s, f) => s + f.gzip, 0),
    jsGzip: list.filter((f) => f.file.endsWith(".js")).reduce((s, f) => s + f.gzip, 0),
  });
  // The target is on what a visitor downloads: the files the page loads at
  // start. Lazy chunks (the mobs: the core's mob part and the Mob class,
  // fetched by the first createMob; the pack reader, the core's pack part
  // and its JS: by initFromMobpack/inspectMobpack) are listed and summed apart, a sum per
  // dynamic import.
  const total = sum(files.filter((f) => !f.lazy));
  const lazy = groups.map((g) => ({ name: g.name, ...sum(files.filter((f) => f.lazy === g.name)) }));
  const modules = await benchSizeModules();
  return {
    wasm,
    part: await wasmSize("../pkg/meerkat_web_runtime_mobs.wasm"),
    packPart: await wasmSize("../pkg/meerkat_web_runtime_pack.wasm"),
    app: { files, total, lazy },
    target: SIZE_TARGET_GZIP,
    reference: { wasmGzip: REFERENCE_WASM_GZIP },
    modules,
  };
}

async function entryScript(outDir) {
  const html = await readFile(join(outDir, "index.html"), "utf8");
  const entry = /<script[^>]*src="\.\/([^"]+)"/.exec(html)?.[1];
  if (!entry) throw new Error("size-app: no entry script in dist/index.html");
  return entry;
}

/** What loads with a chunk: the chunk's own name without its hash ("mob", "pack"). */
const chunkName = (file) => file.replace(/^.*\//, "").replace(/-[\w-]{8}\.js$/, "");

/**
 * The files loaded on first use, one group per `import("./…")` target of the
 * files loaded at start: the files it reaches (its own imports, dynamic ones
 * too, up to another group's) that are not loaded already.
 */
async function lazyGroups(outDir, atStart) {
  const roots = new Set();
  for (const file of atStart) {
    if (!file.endsWith(".js")) continue;
    const { dynamic } = references(file, await readFile(join(outDir, file), "utf8"));
    for (const root of dynamic) if (!atStart.has(root)) roots.add(root);
  }
  const groups = [];
  for (const root of roots) {
    const stop = new Set([...atStart, ...[...roots].filter((r) => r !== root)]);
    groups.push({ name: chunkName(root), files: await loadedAt(outDir, [root], stop) });
  }
  return groups;
}

/**
 * A built file's references, as paths from the build's root: `static` (its
 * static imports and every `new URL("…", import.meta.url)`: the Worker, the
 * wasm) and `dynamic` (its `import("./…")`s).
 */
function references(file, code) {
  const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/") + 1) : "";
  const paths = (matches) => [...matches].map(([, ref]) => dir + ref.replace(/^\.\//, ""));
  return {
    static: [
      ...paths(code.matchAll(/(?:from|import)\s*["'`]\.\/([^"'`]+)["'`]/g)),
      ...paths(code.matchAll(/new URL\(\s*["'`]([^"'`]+)["'`]\s*,\s*import\.meta\.url/g)),
    ],
    dynamic: paths(code.matchAll(/import\(\s*["'`]\.\/([^"'`]+)["'`]\s*\)/g)),
  };
}

/**
 * The built files that load with `roots`: every static reference,
 * transitively. (From index.html's entry script: what the page loads
 * before it can run a turn; files reached only through an `import()` load
 * when a feature asks for them.) With `stop`, those too, up to the files
 * in `stop`.
 */
async function loadedAt(outDir, roots, stop = undefined) {
  const seen = new Set();
  const queue = [...roots];
  while (queue.length) {
    const file = queue.pop();
    if (seen.has(file) || stop?.has(file)) continue;
    seen.add(file);
    if (!file.endsWith(".js")) continue;
    const refs = references(file, await readFile(join(outDir, file), "utf8"));
    queue.push(...refs.static, ...(stop ? refs.dynamic : []));
  }
  return seen;
}

/** A wasm of pkg/ as built. */
async function wasmSize(path) {
  const bytes = await readFile(here(path));
  return { raw: bytes.length, gzip: gzip9(bytes) };
}
