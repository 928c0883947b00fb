/**
 * The pack reader: the core's pack part (`pkg/meerkat_web_runtime_pack.wasm`,
 * inflate, SHA-256, tar, TOML and the trust decision, cut from the core by
 * `scripts/wasm-split.mjs`), linked into a core instance the first time a
 * pack is read there. Apps that never open a pack never download it.
 *
 * Its two functions are raw wasm functions (`mobpack/abi.rs`), without
 * wasm-bindgen glue (the glue is on every app's start path): the part's
 * exports `e0` and `e1` (a core built whole exports them itself, as
 * `mobpack_read` and `mobpack_trust`).
 * The inputs are written into the core's memory (`__wbindgen_malloc`) and
 * freed after the call; the reply is a u32 length and that many bytes of
 * UTF-8, read and freed here (`__wbindgen_free`).
 */
import { loadChunk, loadWasm, type WasmModule } from "../core.js";
import { MeerkatError } from "../errors.js";
import type { CorePart } from "../mob/part.js";

export const PACK_PART: CorePart = {
  name: "pack",
  called: false,
  file: "meerkat_web_runtime_pack.wasm",
  url: new URL("../../pkg/meerkat_web_runtime_pack.wasm", import.meta.url),
};

/** The reader's two stateless functions. */
export interface MobpackReader {
  /** `{"ok":{...}}` or `{"error":{code,message}}` (see `pack.ts`). */
  read(bytes: Uint8Array): string;
  /** `""` when the pack is trusted, else `{"error":{code,message}}`. */
  trust(trustJson: string, signatureJson: string, signatureValid: boolean): string;
}

/**
 * The largest `.mobpack` file read: a pack unpacks to at most 32 MiB, and
 * gzip adds at most a few KB to incompressible data. A bigger file is
 * refused before it is copied into the core's memory, which never shrinks
 * (and is shared by the page's runtimes on the main thread).
 */
const MAX_PACK_FILE = 33 * 1024 * 1024;

/** What the reader uses of a core instance's exports. */
interface CoreMemory {
  memory: WebAssembly.Memory;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(ptr: number, size: number, align: number): void;
}

/** The reader's raw functions: byte ranges in, the address of the reply out. */
type Read = (ptr: number, len: number) => number;
type Trust = (trustPtr: number, trustLen: number, signaturePtr: number, signatureLen: number, valid: number) => number;

/**
 * The reader on `wasm`'s core instance (instantiated if it is not yet: no
 * runtime is needed), its pack part linked.
 */
export async function packReader(wasm: WasmModule): Promise<MobpackReader> {
  const exports = await loadWasm(wasm);
  if (!exports || (exports.part_build === undefined && typeof exports.mobpack_read !== "function")) {
    throw new MeerkatError(
      "WASM_INIT_FAILED",
      "could not load the mobpack reader: the wasm core was not loaded by MeerkatRuntime.init, or was built without it",
    );
  }
  // The chunk that checks the pack's mob definition next (bundlers make no second one for this).
  const { linkTo } = await loadChunk(() => import("../mob/lazy-mobs.js"));
  // A failed link is a WASM_INIT_FAILED naming the part's file (part.ts).
  const part = await linkTo(exports, PACK_PART);
  const [read, trust] = part ? [part.e0, part.e1] : [exports.mobpack_read, exports.mobpack_trust];
  if (typeof read !== "function" || typeof trust !== "function") {
    throw new MeerkatError("WASM_INIT_FAILED", `could not load the mobpack reader: ${PACK_PART.file} lacks its entries`);
  }
  return readerOn(exports as unknown as CoreMemory, read as Read, trust as Trust);
}

function readerOn(core: CoreMemory, read: Read, trust: Trust): MobpackReader {
  const encoder = new TextEncoder();
  const put = (bytes: Uint8Array): [number, number] => {
    const ptr = core.__wbindgen_malloc(bytes.length, 1) >>> 0;
    new Uint8Array(core.memory.buffer, ptr, bytes.length).set(bytes);
    return [ptr, bytes.length];
  };
  const take = (ptr: number): string => {
    ptr >>>= 0;
    const len = new DataView(core.memory.buffer).getUint32(ptr, true);
    const text = new TextDecoder().decode(new Uint8Array(core.memory.buffer, ptr + 4, len));
    core.__wbindgen_free(ptr, 4 + len, 1);
    return text;
  };
  const call = (inputs: Uint8Array[], run: (...ranges: number[]) => number): string => {
    const ranges = inputs.map(put);
    try {
      return take(run(...ranges.flat()));
    } finally {
      for (const [ptr, len] of ranges) core.__wbindgen_free(ptr, len, 1);
    }
  };
  return {
    read: (bytes) =>
      bytes.length > MAX_PACK_FILE
        ? JSON.stringify({
            error: {
              code: "INVALID_MOBPACK",
              message: `the .mobpack file is ${bytes.length} bytes; a pack unpacks to at most 32 MiB, so its file is at most ${MAX_PACK_FILE} bytes`,
            },
          })
        : call([bytes], read),
    trust: (trustJson, signatureJson, valid) =>
      call([encoder.encode(trustJson), encoder.encode(signatureJson)], (tp, tl, sp, sl) => trust(tp, tl, sp, sl, valid ? 1 : 0)),
  };
}
