// Vite config of the size probe: a consumer app importing the built package
// by its public names (`@rkat/web/worker` → dist/worker/index.js,
// `@rkat/web` → dist/index.js, `@rkat/web/wasm/*` → pkg/*).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { packageAliases } from "../aliases.mjs";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  logLevel: "warn",
  resolve: { alias: packageAliases },
  worker: { format: "es" },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
});
