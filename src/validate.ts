/**
 * Argument checks for the public API: each failure is a `MeerkatError` with
 * a stable code and a message that says what to pass instead.
 */
import { describe } from "./callbacks.js";
import { MeerkatError } from "./errors.js";

export function fail(code: string, message: string): never {
  throw new MeerkatError(code, message);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export function requireObject(value: unknown, what: string, code = "INVALID_ARGUMENT"): Record<string, unknown> {
  if (!isPlainObject(value)) fail(code, `${what} must be a plain object, got ${describeValue(value)}`);
  return value;
}

export function requireString(value: unknown, what: string): string {
  if (typeof value !== "string") fail("INVALID_ARGUMENT", `${what} must be a string, got ${describeValue(value)}`);
  return value;
}

export function requireFunction<T extends (...args: never[]) => unknown>(value: unknown, what: string): T {
  if (typeof value !== "function") fail("INVALID_ARGUMENT", `${what} must be a function, got ${describeValue(value)}`);
  return value as T;
}

/**
 * A prompt: a string with some text in it, or a non-empty array (its
 * blocks are checked by the core). Empty or blank is refused here: a
 * provider refuses such a message, but only after the run has started.
 */
export function requirePrompt(value: unknown, what: string): string | unknown[] {
  if (typeof value !== "string" && !Array.isArray(value)) {
    fail("INVALID_ARGUMENT", `${what} must be a string or an array of content blocks, got ${describeValue(value)}`);
  }
  if (typeof value === "string" ? !value.trim() : !value.length) {
    fail("INVALID_ARGUMENT", `${what} is empty or blank; pass some text or content blocks`);
  }
  return value;
}

/**
 * JSON text of a value that must be pure JSON data: functions, symbols,
 * bigints, cycles and non-finite numbers are refused (naming the path)
 * rather than silently dropped or sent as `null`, which the core reads as
 * "unset". (`undefined` members mean "absent", as in JSON.)
 */
export function toJsonText(value: unknown, what: string, code = "INVALID_ARGUMENT"): string {
  const paths = new Map<unknown, string>();
  try {
    return JSON.stringify(value, function (this: unknown, key, member: unknown) {
      const path = key ? `${paths.get(this) ?? what}.${key}` : what;
      const kind = typeof member;
      if (kind === "object") paths.set(member, path);
      if (kind === "function" || kind === "symbol" || kind === "bigint" || (kind === "number" && !isFinite(member as number))) {
        throw new MeerkatError(code, `${path} must be ${kind === "number" ? "a finite number" : "JSON data"}, got ${kind === "number" ? member : kind}`);
      }
      return member;
    });
  } catch (error) {
    if (error instanceof MeerkatError) throw error;
    return fail(code, `${what} must be JSON data: ${describe(error)}`);
  }
}

export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}
