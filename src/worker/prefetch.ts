/**
 * The wasm's head start. A Worker spends most of its start-up before its
 * first line runs (thread, script fetch, parse); waiting for it to fetch
 * and compile the core's wasm puts a second network round trip and the
 * compile after all that. So `connectRuntime` fetches and compiles the
 * wasm on the page while the Worker starts (`compileStreaming`: the compile
 * runs mostly off the main thread) and hands the `WebAssembly.Module` over
 * with `init`: a module crosses `postMessage` shared, not copied, and the
 * Worker only instantiates it. (Starting the compile from the Worker's very
 * first statement gained nothing: that statement runs about when an empty
 * Worker is already ready. Nor did a tiny Worker entry that starts the
 * compile and imports the rest of the runtime: 2.44× an empty Worker against
 * 1.87× for this head start, in the same rounds.) Where the page cannot compile it (Node, a failed
 * fetch, a page whose CSP refuses wasm), the Worker loads it as before.
 * (Also tried: running the core's start-up once on the page, in a throwaway
 * instance, so that the Worker finds those functions compiled. Chromium
 * compiles wasm lazily and a module's code is shared, so the Worker's init
 * then compiled 4 functions instead of 80; but the page's compile competes
 * with the Worker's start on two cores: 1.70–1.73× an empty Worker against
 * 1.66–1.68× without it. Dropped. The page's share of the start is mostly
 * the fetch itself: on two cores a page that only fetches the wasm, from a
 * revalidated HTTP cache, delays an empty Worker's start by about 2.3 ms and
 * compiling it too by about 3 ms; `priority: "low"` or starting 2 ms later
 * changed neither.)
 */
import type { WasmModule } from "../core.js";
import { VERSION } from "../version.js";

/** What the page hands over: the compiled core and the package version it came from. */
export interface CompiledCore {
  module: WebAssembly.Module;
  version: string;
}

/**
 * The core compiled on this thread; `undefined` where it cannot be (Node, a
 * failed fetch): the Worker then loads the wasm itself, as it always could.
 * Not kept between calls: the HTTP cache and V8 (which shares the code of
 * identical modules) make a second compile cheap.
 */
export function compileCore(): Promise<CompiledCore | undefined> {
  // Written out in full, as the glue's own: bundlers (Vite, webpack) emit the
  // wasm as an asset and rewrite this URL, to the same file as the glue's.
  const url = new URL("../../pkg/meerkat_web_runtime_bg.wasm", import.meta.url);
  // Node cannot fetch file: URLs (the Worker side reads the file itself).
  if (url.protocol === "file:" || typeof fetch !== "function" || typeof WebAssembly?.compileStreaming !== "function") {
    return Promise.resolve(undefined);
  }
  return WebAssembly.compileStreaming(fetch(url)).then(
    (module) => ({ module, version: VERSION }),
    () => undefined,
  );
}

/**
 * Worker side: instantiate the page's module into `glue` (this package's
 * own glue: the caller checks) when it is of this very version and the glue
 * is not loaded yet. Anything else is left to the usual load.
 */
export function adoptCompiled(glue: WasmModule, compiled: unknown): void {
  const c = compiled as Partial<CompiledCore> | null | undefined;
  if (!(c?.module instanceof WebAssembly.Module) || c.version !== VERSION || !glue.initSync) return;
  try {
    glue.initSync({ module: c.module }); // a no-op once the glue is loaded
  } catch {
    // Not instantiable here: the usual load reports what is wrong.
  }
}
