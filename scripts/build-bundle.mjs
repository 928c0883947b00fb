#!/usr/bin/env node
// The single-file builds, for pages and Workers that load the package with
// no bundler (a CDN, a static site such as `rkat mob web build`'s):
//
//   dist/rkat-web.js          @rkat/web/bundle          = @rkat/web
//   dist/rkat-web-worker.js   @rkat/web/worker-bundle   = @rkat/web/worker, the wasm glue inside
//
// dist/ as tsc writes it is one file per module: a browser fetches them
// level by level of the import graph (a round trip per level) before the
// first line runs. Each file here is one fetch. Built from dist/*.js (what
// tsc emitted) with Vite's library mode, minified with class names kept
// (`MeerkatError` subclasses name themselves). The pack reader and the
// mobs stay separate lazy chunks per entry (`<entry>-pack.js`,
// `<entry>-lazy-mobs.js`, and the Worker's mob methods
// `rkat-web-worker-expose-mob.js`), loaded only when a pack is opened or a
// mob created. Every
// `new URL("…", import.meta.url)` keeps pointing at the same file from the
// bundle's place (pkg/ beside dist/): an app that bundles a bundle still
// finds the wasm in pkg/ (its bundler sees the literal URL, as in dist/).
import { existsSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

const root = fileURLToPath(new URL("..", import.meta.url));
const outDir = resolve(root, "dist");
const ENTRIES = { "rkat-web": "dist/index.js", "rkat-web-worker": "dist/worker/index.js" };
const KEEP_CLASS_NAMES = { function: false, class: true };
const URL_RE = /new URL\(\s*(["'])([^"'`]+)\1\s*,\s*import\.meta\.url\s*\)/g;

const IGNORE = "/* @vite-ignore */";

/**
 * `new URL("<path>", import.meta.url)` → the same file, seen from dist/;
 * marked so that this build leaves it alone (library mode would inline the
 * wasm as base64), the mark blanked out in the output (same length: the
 * source maps stay right) so that a consumer's bundler does not.
 */
function keepPackageUrls() {
  return {
    name: "rkat-keep-package-urls",
    enforce: "pre",
    generateBundle(_, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type === "chunk") chunk.code = chunk.code.replaceAll(IGNORE, " ".repeat(IGNORE.length));
      }
    },
    transform(code, id) {
      if (!code.includes("import.meta.url")) return null;
      const from = dirname(id.split("?")[0]);
      const out = code.replace(URL_RE, (_, _q, path) => {
        let rel = relative(outDir, resolve(from, path)).replaceAll("\\", "/");
        if (!rel.startsWith(".")) rel = `./${rel}`;
        return `new URL(${IGNORE} ${JSON.stringify(rel)}, import.meta.url)`;
      });
      return out === code ? null : { code: out, map: null };
    },
  };
}

for (const [name, entry] of Object.entries(ENTRIES)) {
  if (!existsSync(resolve(root, entry))) {
    console.error(`${entry} is missing: run tsc first (npm run build:ts)`);
    process.exit(1);
  }
  await build({
    configFile: false,
    root,
    publicDir: false,
    logLevel: "warn",
    plugins: [keepPackageUrls()],
    build: {
      outDir,
      emptyOutDir: false,
      target: "es2022",
      minify: true,
      sourcemap: true,
      lib: { entry: resolve(root, entry), formats: ["es"], fileName: () => `${name}.js` },
      rolldownOptions: {
        // The entry may export what its lazy chunks import from it; else the
        // modules they share would go to a chunk of their own, one more fetch.
        preserveEntrySignatures: "allow-extension",
        output: {
          // Class names are kept: errors name themselves after their class.
          minify: { mangle: { keepNames: KEEP_CLASS_NAMES }, compress: { keepNames: KEEP_CLASS_NAMES }, codegen: { removeWhitespace: true } },
          chunkFileNames: `${name}-[name].js`,
        },
      },
    },
  });
}
