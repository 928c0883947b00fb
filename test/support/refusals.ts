/** Assertions for refused input: a MeerkatError with a stable code and a message that says what to fix. */
import { expect } from "vitest";
import { ERROR_CODES, MeerkatError } from "@rkat/web";

function expectRefusal(caught: unknown, code: string, hint?: RegExp): void {
  expect(caught, `expected ${code}`).toBeInstanceOf(MeerkatError);
  const error = caught as MeerkatError;
  expect(error.code).toBe(code);
  expect(ERROR_CODES).toContain(error.code);
  expect(error.message.length).toBeGreaterThan(10);
  if (hint) expect(error.message).toMatch(hint);
}

/** A synchronous call throws `code` (with `hint` in its message). */
export function refuses(call: () => unknown, code: string, hint?: RegExp): void {
  let caught: unknown = new Error(`expected ${code}, but the call returned`);
  try {
    call();
  } catch (error) {
    caught = error;
  }
  expectRefusal(caught, code, hint);
}

/** An async call rejects with `code` (with `hint` in its message). */
export async function rejects(call: () => Promise<unknown>, code: string, hint?: RegExp): Promise<void> {
  const caught = await call().then(
    (value: unknown) => new Error(`expected ${code}, got ${typeof value}`),
    (e: unknown) => e,
  );
  expectRefusal(caught, code, hint);
}
