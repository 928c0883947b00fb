/**
 * Leases across the lifecycle of what they depend on: the resolver cleared
 * or replaced (its cached and in-flight leases go with it), a slow resolver
 * while a session or the runtime is destroyed or the run interrupted, two
 * runtimes on one wasm module, and many sessions and mob members starting
 * on one binding at once.
 */
import { expect, test } from "vitest";
import {
  clearExternalAuthResolver,
  MeerkatRuntime,
  registerExternalAuthResolver,
  withAuthBinding,
  type Session,
} from "@rkat/web";
import { wasm } from "./support/runtime.js";
import { ALPHA, authRuntime, called, credentialOf, held, leaseOf, type Sent, authRuntimePerTest } from "./support/auth.js";
import { errorOf, until } from "./support/features.js";

let runtime: MeerkatRuntime;
let sent: Sent[];

authRuntimePerTest((made, log) => {
  runtime = made;
  sent = log;
});

const alpha = (on: MeerkatRuntime = runtime): Session => on.createSession(withAuthBinding(ALPHA));

test("clearing the resolver drops the leases it handed out: the next run fails AUTH_RESOLVER_MISSING", async () => {
  registerExternalAuthResolver(wasm, () => leaseOf("tok-SECRET-userA"));
  const session = alpha();
  await session.turn("signed in");
  clearExternalAuthResolver(wasm); // the user signed out
  const error = await errorOf(session.turn("after sign-out"));
  expect(error.code).toBe("AUTH_RESOLVER_MISSING");
  expect(sent.map(credentialOf)).toEqual(["tok-SECRET-userA"]);
});

test("registering another resolver replaces the leases of the old one", async () => {
  registerExternalAuthResolver(wasm, () => leaseOf("tok-SECRET-userA"));
  const session = alpha();
  await session.turn("as A");
  registerExternalAuthResolver(wasm, () => leaseOf("tok-SECRET-userB"));
  await session.turn("as B");
  await alpha().turn("as B, new session");
  expect(sent.map(credentialOf)).toEqual(["tok-SECRET-userA", "tok-SECRET-userB", "tok-SECRET-userB"]);
});

test("a lease the old resolver hands over after it was replaced is not used: the run asks the new one", async () => {
  const old = held("tok-SECRET-old");
  registerExternalAuthResolver(wasm, old.resolver);
  const turn = alpha().turn("hello");
  await called(old.calls);
  registerExternalAuthResolver(wasm, () => leaseOf("tok-SECRET-new"));
  old.release();
  expect((await turn).text.length).toBeGreaterThan(0);
  expect(sent.map(credentialOf)).toEqual(["tok-SECRET-new"]);
  // Nor cached for later runs.
  await alpha().turn("again");
  expect(sent.map(credentialOf)).toEqual(["tok-SECRET-new", "tok-SECRET-new"]);
});

test("a resolver cleared while its call is out: the run fails AUTH_RESOLVER_MISSING, its late lease is dropped", async () => {
  const old = held("tok-SECRET-late");
  registerExternalAuthResolver(wasm, old.resolver);
  const turn = alpha().turn("hello");
  await called(old.calls);
  clearExternalAuthResolver(wasm);
  old.release();
  expect((await errorOf(turn)).code).toBe("AUTH_RESOLVER_MISSING");
  expect((await errorOf(alpha().turn("again"))).code).toBe("AUTH_RESOLVER_MISSING");
  expect(sent).toEqual([]);
});

test("two runtimes on one wasm module share the resolver, each with its own leases; clearing it reaches both", async () => {
  const other = await authRuntime();
  try {
    let calls = 0;
    registerExternalAuthResolver(wasm, () => leaseOf(`tok-SECRET-${++calls}`));
    await alpha().turn("one");
    await alpha(other.runtime).turn("two");
    expect([sent.map(credentialOf), other.sent.map(credentialOf)]).toEqual([["tok-SECRET-1"], ["tok-SECRET-2"]]);
    clearExternalAuthResolver(wasm);
    for (const on of [runtime, other.runtime]) expect((await errorOf(alpha(on).turn("x"))).code).toBe("AUTH_RESOLVER_MISSING");
  } finally {
    other.runtime.destroy();
  }
});

test("a session destroyed while its lease is resolved fails CANCELLED; the others of the binding go on with one call", async () => {
  const slow = held("tok-SECRET-1");
  registerExternalAuthResolver(wasm, slow.resolver);
  const [doomed, kept] = [alpha(), alpha()];
  const [lost, done] = [doomed.turn("a"), kept.turn("b")];
  await called(slow.calls);
  doomed.destroy();
  expect((await errorOf(lost)).code).toBe("CANCELLED");
  slow.release();
  expect((await done).text.length).toBeGreaterThan(0);
  expect(slow.calls).toHaveLength(1);
  expect(sent.map(credentialOf)).toEqual(["tok-SECRET-1"]);
});

test("the runtime destroyed while a lease is resolved: the turn fails RUNTIME_DESTROYED and the late lease goes nowhere", async () => {
  const slow = held("tok-SECRET-1");
  registerExternalAuthResolver(wasm, slow.resolver);
  const turn = alpha().turn("a");
  await called(slow.calls);
  runtime.destroy();
  expect((await errorOf(turn)).code).toBe("RUNTIME_DESTROYED");
  slow.release();
  await until(() => (slow.calls.length === 1 ? true : undefined));
  expect(sent).toEqual([]);
});

test("a run interrupted while its lease is resolved ends at once; the lease still serves the next turn", async () => {
  const slow = held("tok-SECRET-1");
  registerExternalAuthResolver(wasm, slow.resolver);
  const session = alpha();
  const turn = session.turn("a");
  await called(slow.calls);
  session.interrupt();
  expect((await turn).text).toBe("");
  expect(session.pollEvents().map((e) => e.type)).toContain("run_completed");
  slow.release();
  expect((await session.turn("b")).text.length).toBeGreaterThan(0);
  expect(slow.calls).toHaveLength(1);
  expect(sent.map(credentialOf)).toEqual(["tok-SECRET-1"]);
});

test("many sessions and mob members starting at once on one binding make one resolver call", async () => {
  const slow = held("tok-SECRET-shared");
  registerExternalAuthResolver(wasm, slow.resolver);
  const mob = await runtime.createMob({
    id: "crowd",
    profiles: { worker: { model: "claude-sonnet-4-6", authBinding: ALPHA } },
  });
  const members = ["w1", "w2", "w3"];
  await mob.spawn(members.map((id) => ({ profile: "worker", agent_identity: id })));
  const turns = Array.from({ length: 5 }, (_, i) => alpha().turn(`hello ${i}`));
  const sends = await Promise.all(members.map((id) => mob.member(id).send("hello")));
  await called(slow.calls);
  slow.release();
  await Promise.all(turns);
  await Promise.all(members.map((id, i) => mob.member(id).waitForRun(sends[i]!.runId as number)));
  expect(slow.calls).toEqual([{ ...ALPHA, provider: "anthropic" }]);
  expect(sent).toHaveLength(8);
  expect(new Set(sent.map(credentialOf))).toEqual(new Set(["tok-SECRET-shared"]));
});
