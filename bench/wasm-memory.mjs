// The wasm core instantiated once in this Node process (the glue keeps the
// instance, so MeerkatRuntime.init finds it loaded), and snapshots of its
// memory and the JS heap, for the memory benchmarks (mob-memory.mjs,
// soak-scenarios.mjs), each run in a fresh `node --expose-gc`.
import { readFileSync } from "node:fs";
import * as wasm from "../pkg/meerkat_web_runtime.js";

/** The instance's exports (its `memory` is what the snapshots read). */
export const coreExports = wasm.initSync({ module: readFileSync(new URL("../pkg/meerkat_web_runtime_bg.wasm", import.meta.url)) });

/** Wasm memory and JS heap, collected until heapUsed stops falling (the event loop turning in between: finalizers, promise jobs). */
export async function snapshot() {
  let heapUsed = Infinity;
  for (let i = 0; i < 10; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    globalThis.gc?.();
    const now = process.memoryUsage().heapUsed;
    if (now >= heapUsed) break;
    heapUsed = now;
  }
  return { wasmBytes: coreExports.memory.buffer.byteLength, heapUsed };
}
