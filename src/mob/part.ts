/**
 * The core's mob part: mobs, flows and comms are a wasm of their own
 * (`pkg/meerkat_web_runtime_mobs.wasm`, cut from the core at build time by
 * `scripts/wasm-split.mjs`), fetched and linked the first time an app uses
 * a mob, so that apps without mobs never download it. It imports the core
 * instance's exports (its memory, and the table `mob_part_calls` of the
 * core functions it calls); the core calls into it through the table
 * `mob_part`, whose slot k takes the part's export `e<k>`. Both export `mob_part_build`, a digest
 * of their build: a part links only to the core it was cut from. This
 * module is itself loaded on first use (`lazy-mobs.ts`), and with it the asset
 * URL below.
 */
import { isNode, readNodeFile, type CoreHandle } from "../core.js";
import { MeerkatError } from "../errors.js";

/** Per core instance: its link, done or under way. */
const links = new WeakMap<WebAssembly.Exports, Promise<void>>();

/** Link the mob part to `core`'s instance, once: before its first mob op. */
export function linkMobPart(core: CoreHandle): Promise<void> {
  const exports = core.exports;
  if (!exports) {
    return Promise.reject(new MeerkatError("WASM_INIT_FAILED", "the wasm core was not loaded by MeerkatRuntime.init"));
  }
  return linkTo(exports);
}

/** Link the mob part to the core instance with `exports`, once; a failed link may be retried. */
export function linkTo(exports: WebAssembly.Exports): Promise<void> {
  let link = links.get(exports);
  if (!link) {
    link = instantiatePart(exports);
    links.set(exports, link);
    link.catch(() => links.delete(exports));
  }
  return link;
}

async function instantiatePart(exports: WebAssembly.Exports): Promise<void> {
  // Written out in full: bundlers emit the wasm as an asset and rewrite this URL.
  const url = new URL("../../pkg/meerkat_web_runtime_mobs.wasm", import.meta.url);
  const imports = { primary: exports as WebAssembly.ModuleImports };
  const table = exports.mob_part;
  // A core built whole (`wasm-pack build` alone, not scripts/build-wasm.sh) has its mob code inside.
  if (table === undefined) return;
  let instance: WebAssembly.Instance;
  try {
    if (!(table instanceof WebAssembly.Table)) throw new Error("the core's mob_part is not a table");
    instance = await instantiateFrom(url, imports);
    if (buildOf(instance.exports) !== buildOf(exports)) {
      throw new Error("it is from another build than the core (rebuild, or serve both from one build)");
    }
    const entries = Array.from({ length: table.length }, (_, slot) => instance.exports[`e${slot}`]);
    if (!entries.every((entry) => typeof entry === "function")) throw new Error("it lacks entries the core calls");
    entries.forEach((entry, slot) => table.set(slot, entry as never));
  } catch (cause) {
    throw new MeerkatError(
      "WASM_INIT_FAILED",
      `could not link the core's mob part (${url.href}): ${String(cause)}; serve meerkat_web_runtime_mobs.wasm ` +
        "from the same build beside meerkat_web_runtime_bg.wasm",
    );
  }
}

function buildOf(exports: WebAssembly.Exports): unknown {
  const build = exports.mob_part_build;
  return build instanceof WebAssembly.Global ? build.value : undefined;
}

async function instantiateFrom(url: URL, imports: WebAssembly.Imports): Promise<WebAssembly.Instance> {
  if (isNode() && url.protocol === "file:") {
    return (await WebAssembly.instantiate((await readNodeFile(url)) as BufferSource, imports)).instance;
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  if (response.headers.get("content-type")?.startsWith("application/wasm")) {
    return (await WebAssembly.instantiateStreaming(response, imports)).instance;
  }
  return (await WebAssembly.instantiate(await response.arrayBuffer(), imports)).instance;
}
