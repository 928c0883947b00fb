/**
 * The pack reader: a wasm of its own (`pkg/meerkat_mobpack*`, the core's
 * sources built with the `mobpack` feature), imported and instantiated on
 * first use. Apps that never open a pack never download it: its inflate,
 * SHA-256, tar and TOML code stay out of the agent core's wasm.
 */
import { instantiate } from "../core.js";
import { MeerkatError } from "../errors.js";

/** The reader's three stateless functions (see `pkg/meerkat_mobpack.d.ts`). */
export interface PackReader {
  /** `{"ok":{...}}` or `{"error":{code,message}}` (see `pack.ts`). */
  read(bytes: Uint8Array): string;
  /** `""` when the pack is trusted, else `{"error":{code,message}}`. */
  trust(trustJson: string, signatureJson: string, signatureValid: boolean): string;
}

let loading: Promise<PackReader> | undefined;

async function load(): Promise<PackReader> {
  const glue = await import("../../pkg/meerkat_mobpack.js");
  await instantiate(glue, new URL("../../pkg/meerkat_mobpack_bg.wasm", import.meta.url), () => glue.PackReader.version());
  return glue.PackReader;
}

/** The reader, loaded once; a failed load is tried again on the next call. */
export function packReader(): Promise<PackReader> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error instanceof MeerkatError ? error : new MeerkatError("WASM_INIT_FAILED", `could not load the mobpack reader: ${String(error)}`);
  });
  return loading;
}
