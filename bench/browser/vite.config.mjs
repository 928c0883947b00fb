// Vite config of the browser benchmark page and its workers. Same package
// aliases as the size probe: the page imports the built package by name.
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
  preview: { host: "127.0.0.1", port: 4290, strictPort: false },
});
