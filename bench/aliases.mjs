// The package's public names, pointed at the built package in this
// repository (dist/ and pkg/), for the Vite configs of the benchmarks.
import { fileURLToPath } from "node:url";

const repo = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export const packageAliases = [
  // Most specific first: `@rkat/web` must not swallow the subpaths.
  { find: /^@rkat\/web\/worker$/, replacement: repo("dist/worker/index.js") },
  { find: /^@rkat\/web\/wasm\/(.*)$/, replacement: repo("pkg/$1") },
  { find: /^@rkat\/web$/, replacement: repo("dist/index.js") },
];
