/** The bytes of a `.mobpack` as the API takes them (kept apart from `pack.ts`, which loads lazily). */
import { describeValue, fail } from "../validate.js";

const tag = (value: unknown): string => Object.prototype.toString.call(value);

/** `Uint8Array` or `ArrayBuffer` (from any realm), as a `Uint8Array`. */
export function packBytes(value: unknown, what: string): Uint8Array {
  if (tag(value) === "[object Uint8Array]") return value as Uint8Array;
  if (tag(value) === "[object ArrayBuffer]") return new Uint8Array(value as ArrayBuffer);
  return fail(
    "INVALID_ARGUMENT",
    `${what} must be the .mobpack file's bytes, a Uint8Array or an ArrayBuffer (e.g. new Uint8Array(await (await fetch(url)).arrayBuffer())), got ${describeValue(value)}`,
  );
}
