/**
 * The core's lazily linked parts: wasm files of their own, cut from the
 * core at build time by `scripts/wasm-split.mjs`, fetched and linked into a
 * core instance on first use, so that apps that never use them never
 * download them. The mob part (`pkg/meerkat_web_runtime_mobs.wasm`: mobs,
 * flows, comms) is linked before an app's first mob; the pack part
 * (`pkg/meerkat_web_runtime_pack.wasm`: the mobpack reader, its descriptor
 * in `../mobpack/reader.ts`) before the first pack is read. A part
 * imports the core instance's exports (its memory, and the table
 * `part_calls` of the core functions the parts call); the core calls into
 * the mob part through the table `mob_part`, whose slot k takes the part's
 * export `e<k>`; only the host calls the pack part's (see `CorePart.called`).
 * Both export `part_build`, a digest of their build: a part links only to
 * the core it was cut from (checked in the part's custom section of that
 * name before the part is instantiated, which writes its data into the
 * core's memory). This module is itself loaded on first use
 * (`lazy-mobs.ts`), and with it the mob part's URL below.
 */
import { isNode, readNodeFile, type CoreHandle } from "../core.js";
import { MeerkatError } from "../errors.js";

/** A part of the core: its name, its wasm, who calls it. */
export interface CorePart {
  name: string;
  /**
   * Whether the core calls into it, through its table `<name>_part` (the
   * mob part), or only the host does, through the exports `linkTo` returns
   * (the pack part).
   */
  called: boolean;
  /** The file to serve beside the core's wasm, for error messages. */
  file: string;
  /** Written out in full where it is defined: bundlers emit the wasm as an asset and rewrite this URL. */
  url: URL;
}

export const MOB_PART: CorePart = {
  name: "mob",
  called: true,
  file: "meerkat_web_runtime_mobs.wasm",
  url: new URL("../../pkg/meerkat_web_runtime_mobs.wasm", import.meta.url),
};

/** The part's instance's exports; `undefined` for a core built whole. */
type Link = Promise<WebAssembly.Exports | undefined>;

/** Per core instance and part: its link, done or under way. */
const links = new WeakMap<WebAssembly.Exports, Map<string, Link>>();

/** Link the mob part to `core`'s instance, once: before its first mob op. */
export async function linkMobPart(core: CoreHandle): Promise<void> {
  const exports = core.exports;
  if (!exports) throw new MeerkatError("WASM_INIT_FAILED", "the wasm core was not loaded by MeerkatRuntime.init");
  await linkTo(exports);
}

/**
 * Link `part` to the core instance with `exports`, once; a failed link may
 * be retried. Resolves to the part's instance's exports, or to `undefined`
 * for a core built whole (`wasm-pack build` alone, not
 * scripts/build-wasm.sh), which has the part's code inside.
 */
export function linkTo(exports: WebAssembly.Exports, part: CorePart = MOB_PART): Link {
  let parts = links.get(exports);
  if (!parts) links.set(exports, (parts = new Map()));
  let link = parts.get(part.name);
  if (!link) {
    link = instantiatePart(exports, part);
    parts.set(part.name, link);
    link.catch(() => parts.delete(part.name));
  }
  return link;
}

async function instantiatePart(exports: WebAssembly.Exports, { name, called, file, url }: CorePart): Link {
  const imports = { primary: exports as WebAssembly.ModuleImports };
  const table = exports[`${name}_part`];
  // A core built whole (`wasm-pack build` alone) has neither the table nor the digest.
  if (called ? table === undefined : exports.part_build === undefined) return undefined;
  try {
    if (called && !(table instanceof WebAssembly.Table)) throw new Error(`the core's ${name}_part is not a table`);
    // Checked before it is instantiated: that writes its data into the
    // core's memory, where a part of another build has the core's own.
    const module = await compileFrom(url);
    const [digest] = WebAssembly.Module.customSections(module, "part_build");
    const build = exports.part_build;
    if (!digest || digest.byteLength !== 4 || !(build instanceof WebAssembly.Global) || new DataView(digest).getInt32(0, true) !== build.value) {
      throw new Error("it is from another build than the core (rebuild, or serve both from one build)");
    }
    const instance = await WebAssembly.instantiate(module, imports);
    if (table instanceof WebAssembly.Table) {
      const entries = Array.from({ length: table.length }, (_, slot) => instance.exports[`e${slot}`]);
      if (!entries.every((entry) => typeof entry === "function")) throw new Error("it lacks entries the core calls");
      entries.forEach((entry, slot) => table.set(slot, entry as never));
    }
    return instance.exports;
  } catch (cause) {
    throw new MeerkatError(
      "WASM_INIT_FAILED",
      `could not link the core's ${name} part (${url.href}): ${String(cause)}; serve ${file} ` +
        "from the same build beside meerkat_web_runtime_bg.wasm",
    );
  }
}

async function compileFrom(url: URL): Promise<WebAssembly.Module> {
  if (isNode() && url.protocol === "file:") return WebAssembly.compile((await readNodeFile(url)) as BufferSource);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  if (response.headers.get("content-type")?.startsWith("application/wasm")) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}
