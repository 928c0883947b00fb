// Vite config of the demo app (demo/): `npx vite` (dev), `npx vite build`
// (to demo/dist), `npx vite preview`. The demo imports the package the way
// users do (`@rkat/web`, `@rkat/web/worker`, `@rkat/web/wasm/...`); the
// aliases below point those names at the sources in this repository.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { demoPack } from "./demo/pack-plugin.js";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: "demo",
  base: "./",
  plugins: [demoPack(here("."), "examples/packs/research-team")],
  resolve: {
    // Most specific first: `@rkat/web` must not swallow `@rkat/web/worker`.
    alias: [
      { find: /^@rkat\/web\/wasm\/(.*)$/, replacement: here("./pkg/$1") },
      { find: /^@rkat\/web\/worker$/, replacement: here("./src/worker/index.ts") },
      { find: /^@rkat\/web$/, replacement: here("./src/index.ts") },
    ],
  },
  worker: { format: "es" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    rolldownOptions: {
      input: {
        index: here("./demo/index.html"),
        seed: here("./demo/seed.html"),
        seedAuth: here("./demo/seed-auth.html"),
      },
    },
  },
  server: { host: "127.0.0.1", port: 5173, fs: { allow: [here(".")] } },
  preview: { host: "127.0.0.1", port: 4173 },
});
