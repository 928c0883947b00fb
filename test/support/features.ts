/** Helpers for the agent-loop feature suites (hooks, budgets, skills, compaction...). */
import { expect } from "vitest";
import { ERROR_CODES, MeerkatError, type AgentEvent } from "@rkat/web";
import { simRequests } from "./runtime.js";

/** What a call gave: its value, or its error's class name, code and message. */
export async function outcomeOf(call: () => unknown): Promise<unknown> {
  try {
    return { value: await call() };
  } catch (error) {
    const e = error as MeerkatError;
    return { name: e.name, code: e.code, message: e.message };
  }
}

/** The error a promise (or a call that may throw synchronously) ends with; fails the test if it resolves. */
export async function errorOf(call: Promise<unknown> | (() => unknown)): Promise<MeerkatError> {
  let outcome: unknown;
  try {
    outcome = await (typeof call === "function" ? call() : call);
  } catch (error) {
    expect(error, "expected a MeerkatError").toBeInstanceOf(MeerkatError);
    expect(ERROR_CODES).toContain((error as MeerkatError).code);
    return error as MeerkatError;
  }
  throw new Error(`expected a rejection, got ${JSON.stringify(outcome)}`);
}

/** The synchronous throw of `call` (fails the test if it does not throw a MeerkatError). */
export function thrownBy(call: () => unknown): MeerkatError {
  try {
    call();
  } catch (error) {
    expect(error, "expected a MeerkatError").toBeInstanceOf(MeerkatError);
    expect(ERROR_CODES).toContain((error as MeerkatError).code);
    return error as MeerkatError;
  }
  throw new Error("expected a synchronous MeerkatError");
}

type EventOf<T extends AgentEvent["type"]> = Extract<AgentEvent, { type: T }>;

/** The events of one type, typed. */
export function ofType<T extends AgentEvent["type"]>(events: readonly AgentEvent[], type: T): EventOf<T>[] {
  return events.filter((e) => e.type === type) as EventOf<T>[];
}

/** A promise with its resolvers outside. */
export function gate<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Wait until `read` returns something other than `undefined`, yielding to
 * the event loop between checks (no fixed delay: the test's own timeout
 * bounds the wait). For things that happen after a run's promise settles,
 * such as a background hook's answer.
 */
export async function until<T>(read: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Requests the simulated provider received whose body mentions `marker`. */
export async function requestsWith(marker: string): Promise<Array<{ path: string; body: any }>> {
  return (await simRequests()).filter((r) => JSON.stringify(r.body).includes(marker));
}

/** The Anthropic `system` of a request body as one string ("" when absent). */
export function systemOf(body: any): string {
  const system = body?.system;
  if (system === undefined || system === null) return "";
  if (typeof system === "string") return system;
  return (system as Array<{ text?: string }>).map((b) => b.text ?? "").join("\n");
}

/** Every text of a request's messages, joined (for "was X sent" checks). */
export function textsOf(body: any): string {
  return JSON.stringify(body?.messages ?? []);
}

export const weatherSchema = {
  type: "object" as const,
  properties: { location: { type: "string" } },
  required: ["location"],
};
