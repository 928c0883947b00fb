/**
 * The page's resolver serving a runtime in a Worker (a real MessageChannel,
 * the real RPC), at its edges: replaced or cleared with leases cached or a
 * call out, the runtime destroyed during a slow call, resolvers that throw
 * what is not an Error or hand over garbage (each ending as it does on the
 * main thread), and bad arguments refused as a rejected promise.
 */
import { expect, test } from "vitest";
import {
  clearExternalAuthResolver,
  MeerkatError,
  registerExternalAuthResolver,
  withAuthBinding,
  type ExternalAuthResolver,
} from "@rkat/web";
import type { WorkerRuntime } from "@rkat/web/worker";
import { wasm } from "./support/runtime.js";
import { ALPHA, authRuntime, called, credentialOf, held, leaseOf, type Sent, workerAuthRuntimePerTest } from "./support/auth.js";
import { errorOf } from "./support/features.js";

let runtime: WorkerRuntime;
let sent: Sent[];
workerAuthRuntimePerTest((made, log) => {
  runtime = made;
  sent = log;
});

const alpha = () => runtime.createSession(withAuthBinding(ALPHA));

test("registering another resolver on the page replaces the leases the Worker cached from the old one", async () => {
  await runtime.registerExternalAuthResolver(() => leaseOf("tok-SECRET-userA"));
  const session = await alpha();
  await session.turn("as A");
  await runtime.registerExternalAuthResolver(() => leaseOf("tok-SECRET-userB"));
  await session.turn("as B");
  await runtime.clearExternalAuthResolver();
  expect((await errorOf(session.turn("signed out"))).code).toBe("AUTH_RESOLVER_MISSING");
  expect(sent.map(credentialOf)).toEqual(["tok-SECRET-userA", "tok-SECRET-userB"]);
});

test("a page resolver replaced while its call is out: its late lease is dropped, the new one is asked", async () => {
  const slow = held("tok-SECRET-old");
  await runtime.registerExternalAuthResolver(slow.resolver);
  const session = await alpha();
  const turn = session.turn("hello");
  await called(slow.calls);
  await runtime.registerExternalAuthResolver(() => leaseOf("tok-SECRET-new"));
  void slow.release();
  expect((await turn).text.length).toBeGreaterThan(0);
  expect(sent.map(credentialOf)).toEqual(["tok-SECRET-new"]);
});

test("the runtime destroyed while the page's resolver is slow: the turn fails RUNTIME_DESTROYED, the late answer is harmless", async () => {
  const slow = held("tok-SECRET-late");
  await runtime.registerExternalAuthResolver(slow.resolver);
  const turn = (await alpha()).turn("hello");
  await called(slow.calls);
  await runtime.destroy();
  expect((await errorOf(turn)).code).toBe("RUNTIME_DESTROYED");
  await slow.release();
  expect(sent).toEqual([]);
});

test("registerExternalAuthResolver(workerRuntime, ...) refuses bad arguments as a rejected promise, like the method", async () => {
  for (const [resolver, options] of [["token", undefined], [() => leaseOf("x"), { timeoutMs: 0 }]] as const) {
    let outcome: Promise<void> | undefined;
    expect(() => (outcome = registerExternalAuthResolver(runtime, resolver as never, options as never))).not.toThrow();
    const error = await errorOf(outcome!);
    expect([error.code, error.message]).toEqual(["INVALID_ARGUMENT", expect.stringMatching(/^registerExternalAuthResolver: /)]);
  }
  await runtime.destroy();
  const gone = await errorOf(clearExternalAuthResolver(runtime));
  expect(gone.code).toBe("RUNTIME_DESTROYED");
});

test("resolvers that throw what is not an Error or hand over garbage fail as on the main thread", async () => {
  const main = await authRuntime();
  const circular: Record<string, unknown> = { kind: "inline_secret", secret: "tok-SECRET-c" };
  circular.self = circular;
  const resolvers: Array<[string, () => unknown]> = [
    ["a string thrown", () => {
      throw "login popup closed";
    }],
    ["undefined thrown", () => {
      throw undefined;
    }],
    ["an object that cannot be printed", () => {
      throw Object.create(null);
    }],
    ["an Error without a message", () => {
      throw new TypeError();
    }],
    ["a rejection with a number", () => Promise.reject(42)],
    ["nothing", async () => undefined],
    ["a bare token", async () => "tok-SECRET-bare"],
    ["a function", async () => () => "tok-SECRET-fn"],
    ["a BigInt inside", async () => ({ ...leaseOf("tok-SECRET-b"), metadata: { n: 1n } })],
    ["a cycle", async () => circular],
    ["a secret still a promise", async () => ({ kind: "inline_secret", secret: Promise.resolve("tok-SECRET-p") })],
    ["a getter that throws", () => ({ kind: "inline_secret", get secret(): string { throw new Error("vault locked"); } })],
    ["an expiry of NaN", async () => ({ ...leaseOf("tok-SECRET-n"), expires_at: NaN })],
  ];
  try {
    for (const [name, resolver] of resolvers) {
      await runtime.registerExternalAuthResolver(resolver as ExternalAuthResolver);
      const inWorker = await errorOf((await alpha()).turn("hi"));
      registerExternalAuthResolver(wasm, resolver as ExternalAuthResolver);
      const onPage = await errorOf(main.runtime.createSession(withAuthBinding(ALPHA)).turn("hi"));
      expect(inWorker, name).toBeInstanceOf(MeerkatError);
      expect([name, inWorker.code, inWorker.message]).toEqual([name, onPage.code, onPage.message]);
      expect(["AUTH_RESOLVER_FAILED", "AUTH_LEASE_INVALID"]).toContain(inWorker.code);
      expect(inWorker.message).not.toContain("tok-SECRET");
    }
  } finally {
    main.runtime.destroy();
  }
  expect(sent).toEqual([]);
});
