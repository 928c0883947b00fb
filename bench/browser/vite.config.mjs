// Vite config of the browser benchmark page and its workers. Same package
// aliases as the size probe: the page imports the built package by name.
// The unbundled ready figures need the package as files: `unbundledPackage`
// copies dist/ and pkg/ (their layout kept) and the workers of unbundled/
// into the output's unbundled/, and the preview server answers
// /cold/<n>/<path> with unbundled/<path>: a new <n> per sample is a URL the
// browser has never seen (no HTTP cache, no code cache).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { packageAliases } from "../aliases.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const outDir = here("./dist");

/** The .js files under `dir`, relative. */
function jsFiles(dir, prefix = "") {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return jsFiles(dir, path);
    return entry.name.endsWith(".js") ? [path] : [];
  });
}

/** Copy a module, without its source-map comment (as `rkat mob web build` does). */
function copyModule(from, to) {
  mkdirSync(join(to, ".."), { recursive: true });
  writeFileSync(to, readFileSync(from, "utf8").replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n"));
}

function unbundledPackage() {
  return {
    name: "bench-unbundled-package",
    closeBundle() {
      const target = join(outDir, "unbundled");
      const dist = here("../../dist");
      for (const file of jsFiles(dist)) copyModule(join(dist, file), join(target, "dist", file));
      mkdirSync(join(target, "pkg"), { recursive: true });
      for (const file of readdirSync(here("../../pkg"))) {
        if (/\.(js|wasm)$/.test(file)) copyFileSync(here(`../../pkg/${file}`), join(target, "pkg", file));
      }
      for (const file of readdirSync(here("./unbundled"))) copyFileSync(here(`./unbundled/${file}`), join(target, file));
    },
    configurePreviewServer(server) {
      server.middlewares.use((req, _res, next) => {
        const cold = /^\/cold\/\d+\/(.*)$/.exec(req.url ?? "");
        if (cold) req.url = `/unbundled/${cold[1]}`;
        next();
      });
    },
  };
}

export default defineConfig({
  root: here("."),
  base: "./",
  logLevel: "warn",
  resolve: { alias: packageAliases },
  worker: { format: "es" },
  plugins: [unbundledPackage()],
  build: { outDir, emptyOutDir: true, target: "es2022", ...(process.env.BENCH_NO_MINIFY ? { minify: false } : {}) },
  preview: { host: "127.0.0.1", port: 4290, strictPort: false },
});
