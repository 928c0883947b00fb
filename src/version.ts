/** The package version; the wasm core must carry the same (`Core.version()`). */
export const VERSION = "0.1.0";

/** The SDK contract version this package implements. */
export const CONTRACT_VERSION = "0.5.0";
