/**
 * External auth resolvers through the Worker bridge (a real MessageChannel,
 * the real RPC): the resolver stays on this side and is called from the
 * Worker, which enforces its timeout; failures keep their codes; the secret
 * stays out of what crosses back.
 */
import { expect, test } from "vitest";
import {
  clearExternalAuthResolver,
  MeerkatError,
  registerExternalAuthResolver,
  withAuthBinding,
  type AuthResolverRequest,
  type ExternalAuthResolver,
} from "@rkat/web";
import type { WorkerRuntime } from "@rkat/web/worker";
import { resolverFor } from "../src/auth/registry.js";
import { script, wasm } from "./support/runtime.js";
import { ALPHA, credentialOf, leaseOf, type Sent, workerAuthRuntimePerTest } from "./support/auth.js";
import { errorOf, gate, until } from "./support/features.js";

let runtime: WorkerRuntime;
let sent: Sent[];
workerAuthRuntimePerTest((made, log) => {
  runtime = made;
  sent = log;
});


/** A resolver on this side that records what it was asked. */
function pageResolver(): { resolver: ExternalAuthResolver; calls: AuthResolverRequest[] } {
  const calls: AuthResolverRequest[] = [];
  const resolver: ExternalAuthResolver = async (request) => {
    calls.push(request);
    // Metadata need only be JSON-ish: it crosses as JSON, as on the main thread.
    return { ...leaseOf(`tok-SECRET-${calls.length}`), metadata: { account_id: "acct-7", seen: new Date(0) } };
  };
  return { resolver, calls };
}

test("the client's registerExternalAuthResolver serves the Worker's runtime from this thread", async () => {
  const { resolver, calls } = pageResolver();
  await runtime.registerExternalAuthResolver(resolver);
  const session = await runtime.createSession(withAuthBinding(ALPHA, { model: "claude-sonnet-4-6" }));
  const result = await session.turn("Hello");
  expect(result.text.length).toBeGreaterThan(0);
  expect(calls).toEqual([{ realm: "team-alpha", binding: "anthropic", provider: "anthropic" }]);
  expect(sent.map(credentialOf)).toEqual(["tok-SECRET-1"]);
  await session.turn("cached");
  expect(calls).toHaveLength(1);
  // A 401 re-resolves across the bridge once.
  await script("error=401");
  await session.turn("refused once");
  expect(calls).toHaveLength(2);
  expect(sent.map(credentialOf)).toEqual(["tok-SECRET-1", "tok-SECRET-1", "tok-SECRET-1", "tok-SECRET-2"]);
  // Nothing that came back holds the secret.
  const back = JSON.stringify([result, await session.pollEvents(), await session.history(), await runtime.listSessions()]);
  expect(back).not.toContain("tok-SECRET");
});

test("registerExternalAuthResolver(workerRuntime, resolver) works like the method; concurrent sessions share one call", async () => {
  const release = gate();
  const calls: AuthResolverRequest[] = [];
  const registered = registerExternalAuthResolver(runtime, async (request) => {
    calls.push(request);
    await release.promise;
    return leaseOf("tok-SECRET-shared");
  });
  expect(registered).toBeInstanceOf(Promise);
  await registered;
  const sessions = await Promise.all([1, 2, 3].map(() => runtime.createSession(withAuthBinding(ALPHA))));
  const turns = sessions.map((s, i) => s.turn(`hello ${i}`));
  await until(() => (calls.length > 0 ? true : undefined));
  release.resolve();
  await Promise.all(turns);
  expect(calls).toHaveLength(1);
  expect(sent.map(credentialOf)).toEqual(["tok-SECRET-shared", "tok-SECRET-shared", "tok-SECRET-shared"]);
});

test("failures cross with their codes and leave the runtime usable", async () => {
  const session = await runtime.createSession(withAuthBinding(ALPHA));
  const fails = async (code: string, message: RegExp) => {
    const error = await errorOf(session.turn("hi"));
    expect(error).toBeInstanceOf(MeerkatError);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  };
  await fails("AUTH_RESOLVER_MISSING", /team-alpha\/anthropic: none is registered/);
  await runtime.registerExternalAuthResolver(() => {
    throw new Error("login popup closed");
  });
  await fails("AUTH_RESOLVER_FAILED", /login popup closed/);
  await runtime.registerExternalAuthResolver(() => new Promise(() => {}), { timeoutMs: 50 });
  await fails("AUTH_RESOLVER_FAILED", /did not answer within 50 ms/);
  await runtime.registerExternalAuthResolver(() => ({ kind: "inline_secret", secret: 42 }) as never);
  await fails("AUTH_LEASE_INVALID", /lease\.secret/);
  await runtime.registerExternalAuthResolver(() => leaseOf("tok-SECRET-ok"));
  await runtime.clearExternalAuthResolver();
  await fails("AUTH_RESOLVER_MISSING", /registerExternalAuthResolver/);
  await expect(runtime.createSession(withAuthBinding({ realm: "nope", binding: "x" }))).rejects.toMatchObject({
    code: "AUTH_BINDING_NOT_FOUND",
  });
  await expect(runtime.registerExternalAuthResolver("x" as never)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  // Usable: the same session runs with a working resolver.
  const { resolver } = pageResolver();
  await registerExternalAuthResolver(runtime, resolver);
  expect((await session.turn("again")).text.length).toBeGreaterThan(0);
  expect(credentialOf(sent.at(-1)!)).toBe("tok-SECRET-1");
});

test("destroying the Worker's runtime forgets the page's resolver there", async () => {
  await runtime.registerExternalAuthResolver(pageResolver().resolver);
  expect(resolverFor(wasm)).toBeDefined();
  await runtime.destroy();
  expect(resolverFor(wasm)).toBeUndefined();
});
