/**
 * Leases across the lifecycle of what they depend on: a slow resolver while
 * a session or the runtime is destroyed or the run interrupted, two
 * runtimes on one wasm module, and many sessions and mob members starting
 * on one binding at once.
 */
import { afterEach, beforeEach, expect, test } from "vitest";
import {
  clearExternalAuthResolver,
  MeerkatRuntime,
  registerExternalAuthResolver,
  withAuthBinding,
  type AuthResolverRequest,
  type Session,
} from "@rkat/web";
import { resetSim, wasm } from "./support/runtime.js";
import { authRuntime, credentialOf, leaseOf, type Sent } from "./support/auth.js";
import { errorOf, gate, until } from "./support/features.js";

let runtime: MeerkatRuntime;
let sent: Sent[];

beforeEach(async () => {
  await resetSim();
  ({ runtime, sent } = await authRuntime());
});
afterEach(() => {
  runtime.destroy();
  clearExternalAuthResolver(wasm);
});

const bound = { realm: "team-alpha", binding: "anthropic" };
const alpha = (on: MeerkatRuntime = runtime): Session => on.createSession(withAuthBinding(bound));

/** A resolver held at a gate: it records each call and answers `secret` once released. */
function held(secret: string) {
  const release = gate();
  const calls: AuthResolverRequest[] = [];
  const resolver = async (request: AuthResolverRequest) => {
    calls.push(request);
    await release.promise;
    return leaseOf(secret);
  };
  return { resolver, calls, release: () => release.resolve() };
}

const called = (calls: unknown[]) => until(() => (calls.length > 0 ? true : undefined));

test("two runtimes on one wasm module share the resolver, each with its own leases", async () => {
  const other = await authRuntime();
  try {
    let calls = 0;
    registerExternalAuthResolver(wasm, () => leaseOf(`tok-SECRET-${++calls}`));
    await alpha().turn("one");
    await alpha(other.runtime).turn("two");
    expect([sent.map(credentialOf), other.sent.map(credentialOf)]).toEqual([["tok-SECRET-1"], ["tok-SECRET-2"]]);
    // Cleared once, for both: a binding neither has a lease for fails in each.
    clearExternalAuthResolver(wasm);
    for (const on of [runtime, other.runtime]) {
      const oauth = on.createSession(withAuthBinding({ realm: "team-alpha", binding: "oauth" }));
      expect((await errorOf(oauth.turn("x"))).code).toBe("AUTH_RESOLVER_MISSING");
    }
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
    profiles: { worker: { model: "claude-sonnet-4-6", authBinding: bound } },
  });
  const members = ["w1", "w2", "w3"];
  await mob.spawn(members.map((id) => ({ profile: "worker", agent_identity: id })));
  const turns = Array.from({ length: 5 }, (_, i) => alpha().turn(`hello ${i}`));
  const sends = await Promise.all(members.map((id) => mob.member(id).send("hello")));
  await called(slow.calls);
  slow.release();
  await Promise.all(turns);
  await Promise.all(members.map((id, i) => mob.member(id).waitForRun(sends[i]!.runId as number)));
  expect(slow.calls).toEqual([{ ...bound, provider: "anthropic" }]);
  expect(sent).toHaveLength(8);
  expect(new Set(sent.map(credentialOf))).toEqual(new Set(["tok-SECRET-shared"]));
});
