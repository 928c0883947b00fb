/** The bytes of a `.mobpack` as the API takes them (kept apart from `pack.ts`, which loads lazily). */
import { describeValue, fail } from "../validate.js";

const tag = (value: unknown): string => Object.prototype.toString.call(value);

/**
 * `Uint8Array` or `ArrayBuffer` (from any realm), as a `Uint8Array`. No
 * bytes is refused here: bytes already transferred (`connectRuntime` moves
 * them) are detached and empty, and would otherwise fail in the pack
 * reader's wasm, or in `postMessage`, or not at all (Node drops the message).
 */
export function packBytes(value: unknown, what: string): Uint8Array {
  const kind = tag(value);
  if (kind === "[object Uint8Array]" || kind === "[object ArrayBuffer]") {
    if ((value as ArrayBufferLike).byteLength === 0) {
      fail(
        "INVALID_MOBPACK",
        `${what} is empty or was detached (transferred to a Worker by an earlier connectRuntime); read the .mobpack file's bytes again for each runtime`,
      );
    }
    return kind === "[object ArrayBuffer]" ? new Uint8Array(value as ArrayBuffer) : (value as Uint8Array);
  }
  return fail(
    "INVALID_ARGUMENT",
    `${what} must be the .mobpack file's bytes, a Uint8Array or an ArrayBuffer (e.g. new Uint8Array(await (await fetch(url)).arrayBuffer())), got ${describeValue(value)}`,
  );
}
