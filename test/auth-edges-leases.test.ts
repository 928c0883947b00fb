/**
 * Leases at their edges, against the simulated provider: `expires_at` in
 * every accepted form and malformed ones, and the 30 s margin to the
 * millisecond.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import {
  clearExternalAuthResolver,
  MeerkatRuntime,
  registerExternalAuthResolver,
  withAuthBinding,
  type AuthResolverRequest,
  type Session,
} from "@rkat/web";
import { resetSim, wasm } from "./support/runtime.js";
import { authRuntime, credentialOf, type Sent } from "./support/auth.js";
import { errorOf } from "./support/features.js";

let runtime: MeerkatRuntime;
let sent: Sent[];

beforeEach(async () => {
  await resetSim();
  ({ runtime, sent } = await authRuntime());
});
afterEach(() => {
  runtime.destroy();
  clearExternalAuthResolver(wasm);
  vi.useRealTimers();
});

const alpha = (config = {}): Session =>
  runtime.createSession(withAuthBinding({ realm: "team-alpha", binding: "anthropic" }, config));

/** A resolver handing out `tok-SECRET-<n>`, `expiresAt()` as the lease's `expires_at` (left out when undefined). */
function counting(expiresAt: () => unknown = () => undefined) {
  const calls: AuthResolverRequest[] = [];
  const resolver = (request: AuthResolverRequest) => {
    calls.push(request);
    const at = expiresAt();
    return { kind: "inline_secret" as const, secret: `tok-SECRET-${calls.length}`, ...(at === undefined ? {} : { expires_at: at }) };
  };
  return { resolver: resolver as never, calls };
}

describe("expires_at", () => {
  const start = Date.parse("2030-01-01T00:00:00Z");
  const hour = 3_600_000;

  test("every accepted form is read as the same moment", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const forms: Array<[string, unknown]> = [
      ["ISO-8601 UTC", new Date(start + hour).toISOString()],
      ["ISO-8601 with an offset", "2030-01-01T02:00:00+01:00"],
      ["ISO-8601 without seconds", "2030-01-01T01:00Z"],
      ["a Date (its JSON is ISO-8601)", new Date(start + hour)],
      ["epoch seconds", (start + hour) / 1000],
      ["epoch seconds with a fraction", (start + hour - 500) / 1000 + 0.5],
      ["epoch milliseconds", start + hour],
    ];
    for (const [name, at] of forms) {
      vi.setSystemTime(start);
      // A new runtime each time: an empty lease cache.
      runtime.destroy();
      ({ runtime, sent } = await authRuntime());
      const { resolver, calls } = counting(() => at);
      registerExternalAuthResolver(wasm, resolver);
      const session = alpha();
      await session.turn("one");
      vi.setSystemTime(start + hour - 31_000);
      await session.turn("cached");
      expect(calls, name).toHaveLength(1);
      vi.setSystemTime(start + hour - 30_000);
      await session.turn("refreshed");
      expect(calls, name).toHaveLength(2);
    }
  });

  test("exactly at the margin the cached lease is not used; a lease inside it serves the runs that waited, once", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(start);
    const { resolver, calls } = counting(() => Date.now() + 30_000);
    registerExternalAuthResolver(wasm, resolver);
    const [a, b] = [alpha(), alpha()];
    await Promise.all([a.turn("one"), b.turn("two")]);
    expect(calls).toHaveLength(1);
    await a.turn("three"); // same millisecond: 30 s before expiry is too late
    expect(calls).toHaveLength(2);
    expect(sent.map(credentialOf)).toEqual(["tok-SECRET-1", "tok-SECRET-1", "tok-SECRET-2"]);
  });

  test("malformed ones are AUTH_LEASE_INVALID: NaN, Infinity and an invalid Date never mean 'never expires'", async () => {
    const malformed: Array<[string, unknown, RegExp]> = [
      ["NaN", NaN, /lease\.expires_at must be/],
      ["Infinity", Infinity, /lease\.expires_at must be/],
      ["an invalid Date", new Date(NaN), /lease\.expires_at must be/],
      ["null", null, /lease\.expires_at must be/],
      ["a negative number", -1, /lease\.expires_at must be/],
      ["beyond any Date", 1e17, /lease\.expires_at must be/],
      ["text that is not a date", "in an hour", /lease\.expires_at must be/],
      ["a date without an offset", "2030-01-01T00:00:00", /lease\.expires_at must be/],
      ["epoch milliseconds as text", String(Date.now() + hour), /lease\.expires_at must be/],
      ["a boolean", true, /lease\.expires_at must be/],
      ["the epoch", 0, /already past/],
      ["a minute ago", Date.now() - 60_000, /already past/],
      ["now, in seconds", Math.floor(Date.now() / 1000), /already past/],
    ];
    for (const [name, at, says] of malformed) {
      registerExternalAuthResolver(wasm, counting(() => at).resolver);
      const error = await errorOf(alpha().turn("hi"));
      expect([name, error.code]).toEqual([name, "AUTH_LEASE_INVALID"]);
      expect(error.message, name).toMatch(says);
      expect(error.message).not.toContain("tok-SECRET");
    }
    expect(sent).toEqual([]);
    // Left out, it serves until the provider refuses it.
    const { resolver, calls } = counting();
    registerExternalAuthResolver(wasm, resolver);
    await alpha().turn("one");
    await alpha().turn("two");
    expect(calls).toHaveLength(1);
  });
});
