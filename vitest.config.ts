import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // The package's public entry points, as users import them.
    alias: [
      { find: /^@rkat\/web\/wasm\/(.*)$/, replacement: here("./pkg/$1") },
      { find: /^@rkat\/web\/worker$/, replacement: here("./src/worker/index.ts") },
      { find: /^@rkat\/web\/proxy$/, replacement: here("./proxy/index.mjs") },
      { find: /^@rkat\/web$/, replacement: here("./src/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 20_000,
    // Files share one simulated provider and its request log.
    fileParallelism: false,
    hookTimeout: 20_000,
  },
});
