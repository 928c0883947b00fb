/**
 * Realms, auth bindings and external auth resolvers against the simulated
 * provider: the docs' sample as written, leases cached until 30 s before
 * they expire (on a virtual `Date`), one resolver call for concurrent
 * sessions, one re-resolve after a 401, header styles for every provider,
 * and every failure leaving the runtime usable.
 */
import { describe, expect, test, vi } from "vitest";
import {
  clearExternalAuthResolver,
  MeerkatError,
  MeerkatRuntime,
  registerExternalAuthResolver,
  withAuthBinding,
  type AuthResolverRequest,
  type ExternalAuthResolver,
  type Session,
} from "@rkat/web";
import { script, wasm } from "./support/runtime.js";
import { credentialOf, fakeHostAuth, leaseOf, realmsConfig, type Sent, authRuntimePerTest } from "./support/auth.js";
import { errorOf, gate, ofType, thrownBy, until } from "./support/features.js";

let runtime: MeerkatRuntime;
let sent: Sent[];

authRuntimePerTest((made, log) => {
  runtime = made;
  sent = log;
});

const alpha = (binding = "anthropic", model?: string): Session =>
  runtime.createSession(withAuthBinding({ realm: "team-alpha", binding }, model ? { model } : {}));

/** A resolver that counts its calls and hands out `tok-SECRET-<n>`. */
function counting(expiresIn?: number): { resolver: ExternalAuthResolver; calls: AuthResolverRequest[] } {
  const calls: AuthResolverRequest[] = [];
  const resolver: ExternalAuthResolver = (request) => {
    calls.push(request);
    const expires = expiresIn === undefined ? undefined : new Date(Date.now() + expiresIn).toISOString();
    return leaseOf(`tok-SECRET-${calls.length}`, expires);
  };
  return { resolver, calls };
}

test("the docs' sample runs as written: the session's requests carry the resolver's token", async () => {
  const hostAuth = fakeHostAuth();

  registerExternalAuthResolver(wasm, async (authBinding) => {
    const token = await hostAuth.freshAccessToken(authBinding);
    return {
      kind: "inline_secret",
      secret: token.accessToken,
      metadata: { account_id: token.accountId },
      expires_at: token.expiresAt,
    };
  });

  const bound = runtime.createSession(withAuthBinding(
    { realm: "team-alpha", binding: "anthropic" },
    { model: "claude-sonnet-4-6" },
  ));

  const result = await bound.turn("Hello");
  expect(result.text.length).toBeGreaterThan(0);
  expect(hostAuth.calls).toEqual([{ realm: "team-alpha", binding: "anthropic", provider: "anthropic" }]);
  expect(sent).toHaveLength(1);
  expect(sent[0]!.headers["x-api-key"]).toBe("tok-SECRET-1");
  expect(sent[0]!.url).toMatch(/\/anthropic\/v1\/messages$/);
  // The lease is cached: the next turn asks nobody.
  await bound.turn("Hello again");
  expect(hostAuth.calls).toHaveLength(1);
  expect(sent[1]!.headers["x-api-key"]).toBe("tok-SECRET-1");
  // Unbound sessions keep the default realm's key.
  await runtime.createSession().turn("plain");
  expect(sent[2]!.headers["x-api-key"]).toBe("proxy");
});

describe("withAuthBinding and bindings", () => {
  test("withAuthBinding returns a new config and refuses bad arguments", () => {
    const config = { model: "claude-sonnet-4-6", maxTokens: 100 };
    const bound = withAuthBinding({ realm: "r", binding: "b" }, config);
    expect(bound).toEqual({ model: "claude-sonnet-4-6", maxTokens: 100, authBinding: { realm: "r", binding: "b" } });
    expect(config).toEqual({ model: "claude-sonnet-4-6", maxTokens: 100 });
    expect(withAuthBinding({ realm: "r", binding: "b" })).toEqual({ authBinding: { realm: "r", binding: "b" } });
    for (const bad of [undefined, "team-alpha/anthropic", { realm: "r" }, { realm: "", binding: "b" }, { realm: "r", binding: "b", x: 1 }]) {
      const error = thrownBy(() => withAuthBinding(bad as never, {}));
      expect(error.code).toBe("INVALID_ARGUMENT");
      expect(error.message).toMatch(/^withAuthBinding: /);
    }
    expect(thrownBy(() => withAuthBinding({ realm: "r", binding: "b" }, "x" as never)).code).toBe("INVALID_CONFIG");
  });

  test("createSession refuses an unknown realm or binding at once; the runtime stays usable", async () => {
    for (const [realm, binding] of [["team-gamma", "anthropic"], ["team-alpha", "mistral"]] as const) {
      const error = thrownBy(() => runtime.createSession(withAuthBinding({ realm, binding })));
      expect(error).toBeInstanceOf(MeerkatError);
      expect(error.code).toBe("AUTH_BINDING_NOT_FOUND");
      expect(error.message).toContain(`${realm}/${binding}`);
    }
    const wrong = thrownBy(() => runtime.createSession(withAuthBinding({ realm: "team-alpha", binding: "anthropic" }, { model: "gpt-5" })));
    expect(wrong.code).toBe("INVALID_CONFIG");
    expect(wrong.message).toContain("model gpt-5 is not one of its models");
    // The default realm is the runtime config's provider keys.
    await runtime.createSession(withAuthBinding({ realm: "default", binding: "anthropic" })).turn("hi");
    expect(sent.at(-1)!.headers["x-api-key"]).toBe("proxy");
  });

  test("realm configs are checked at init, naming the field", async () => {
    const bad = async (realms: unknown) => errorOf(MeerkatRuntime.init(wasm, { ...realmsConfig(), realms } as never));
    let error = await bad({ r: { bindings: { b: { provider: "anthropic", credentialSource: "external_resolver", apiKey: "k" } } } });
    expect(error.code).toBe("INVALID_CONFIG");
    expect(error.message).toContain("runtime config.realms.r.bindings.b: binding.apiKey is not allowed");
    error = await bad({ r: { bindings: { b: { provider: "anthropic", credentialSource: "inline", apikey: "k" } } } });
    expect(error.message).toContain('unknown field "apikey"');
    error = await bad({ default: { bindings: {} } });
    expect(error.message).toContain("runtime config.realms.default");
    const binding = { provider: "anthropic", credentialSource: "external_resolver" };
    error = await bad({ "": { bindings: { b: binding } } });
    expect([error.code, error.message]).toEqual(["INVALID_CONFIG", expect.stringContaining('config.realms has a realm named ""')]);
    error = await bad({ r: { bindings: { "": binding } } });
    expect([error.code, error.message]).toEqual(["INVALID_CONFIG", expect.stringContaining('config.realms.r: realm.bindings has a binding named ""')]);
  });

  test("registerExternalAuthResolver checks its arguments", () => {
    expect(thrownBy(() => registerExternalAuthResolver(wasm, "token" as never)).code).toBe("INVALID_ARGUMENT");
    expect(thrownBy(() => registerExternalAuthResolver({} as never, () => leaseOf("x"))).message).toContain("wasm module namespace");
    for (const options of [{ timeoutMs: 0 }, { timeoutMs: 1.5 }, { timeout: 5 }, "fast"]) {
      expect(thrownBy(() => registerExternalAuthResolver(wasm, () => leaseOf("x"), options as never)).code).toBe("INVALID_ARGUMENT");
    }
    expect(thrownBy(() => clearExternalAuthResolver(null as never)).code).toBe("INVALID_ARGUMENT");
  });
});

describe("leases", () => {
  test("a lease is reused until 30 s before expires_at on the core's clock, then resolved again", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.parse("2030-01-01T00:00:00Z");
    vi.setSystemTime(start);
    const { resolver, calls } = counting(120_000);
    registerExternalAuthResolver(wasm, resolver);
    const session = alpha();
    await session.turn("one");
    expect(calls).toHaveLength(1);
    vi.setSystemTime(start + 89_000); // 31 s before expiry
    await session.turn("two");
    expect(calls).toHaveLength(1);
    vi.setSystemTime(start + 91_000); // 29 s before: refreshed
    await session.turn("three");
    expect(calls).toHaveLength(2);
    expect(sent.map(credentialOf)).toEqual(["tok-SECRET-1", "tok-SECRET-1", "tok-SECRET-2"]);
    vi.setSystemTime(start + 400_000); // long expired
    await session.turn("four");
    expect(calls).toHaveLength(3);
  });

  test("expires_at as epoch seconds or milliseconds means the same", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.parse("2030-01-01T00:00:00Z");
    vi.setSystemTime(start);
    let calls = 0;
    registerExternalAuthResolver(wasm, () => {
      calls += 1;
      const at = Date.now() + 60_000;
      return leaseOf(`tok-SECRET-${calls}`, calls % 2 === 1 ? Math.floor(at / 1000) : at);
    });
    const session = alpha();
    await session.turn("seconds");
    vi.setSystemTime(start + 29_000);
    await session.turn("cached");
    expect(calls).toBe(1);
    vi.setSystemTime(start + 31_000);
    await session.turn("milliseconds");
    expect(calls).toBe(2);
    vi.setSystemTime(start + 31_000 + 29_000);
    await session.turn("cached again");
    expect(calls).toBe(2);
  });

  test("concurrent sessions of one binding share one resolver call", async () => {
    const release = gate();
    const calls: AuthResolverRequest[] = [];
    registerExternalAuthResolver(wasm, async (request) => {
      calls.push(request);
      await release.promise;
      return leaseOf("tok-SECRET-shared");
    });
    const sessions = [alpha(), alpha(), alpha()];
    const turns = sessions.map((s, i) => s.turn(`hello ${i}`));
    await until(() => (calls.length > 0 ? true : undefined));
    release.resolve();
    const results = await Promise.all(turns);
    expect(results.every((r) => r.text.length > 0)).toBe(true);
    expect(calls).toHaveLength(1);
    expect(sent.map(credentialOf)).toEqual(["tok-SECRET-shared", "tok-SECRET-shared", "tok-SECRET-shared"]);
  });

  test("a 401 drops the lease and retries once with a fresh one; a second 401 is final", async () => {
    const { resolver, calls } = counting();
    registerExternalAuthResolver(wasm, resolver);
    const session = alpha();
    await script("error=401");
    const result = await session.turn("hello");
    expect(result.text.length).toBeGreaterThan(0);
    expect(calls).toHaveLength(2);
    expect(sent.map(credentialOf)).toEqual(["tok-SECRET-1", "tok-SECRET-2"]);

    await script("error=401", "error=401");
    const error = await errorOf(session.turn("again"));
    expect(error.code).toBe("PROVIDER_AUTH");
    expect(error.message).toContain("a fresh lease from the external auth resolver was refused too");
    expect(calls).toHaveLength(3);
    expect(ofType(session.pollEvents(), "run_failed")).toHaveLength(1);
    // The refused lease is gone: the next turn resolves a new one and works.
    await session.turn("and now");
    expect(calls).toHaveLength(4);
    expect(credentialOf(sent.at(-1)!)).toBe("tok-SECRET-4");
  });

  test("each header style reaches its provider", async () => {
    const { resolver } = counting();
    registerExternalAuthResolver(wasm, resolver);
    const cases: Array<[string, string, RegExp, Record<string, string | undefined>]> = [
      ["oauth", "claude-sonnet-4-6", /\/anthropic\/v1\/messages$/, { authorization: "Bearer tok-SECRET-1", "x-api-key": undefined }],
      ["openai", "gpt-5", /\/openai\/v1\/chat\/completions$/, { authorization: "Bearer tok-SECRET-2" }],
      ["responses", "gpt-5", /\/openai\/v1\/responses$/, { authorization: "Bearer tok-SECRET-3" }],
      ["gemini", "gemini-2.5-flash", /\/gemini\/v1beta\/models\/gemini-2.5-flash:streamGenerateContent\?alt=sse$/, {
        authorization: "Bearer tok-SECRET-4",
        "x-goog-api-key": undefined,
      }],
    ];
    for (const [binding, model, url, headers] of cases) {
      const result = await alpha(binding, model).turn(`hello ${binding}`);
      expect(result.text.length, binding).toBeGreaterThan(0);
      const request = sent.at(-1)!;
      expect(request.url).toMatch(url);
      for (const [name, value] of Object.entries(headers)) expect(request.headers[name], `${binding} ${name}`).toBe(value);
    }
    // An inline binding needs no resolver.
    clearExternalAuthResolver(wasm);
    await runtime.createSession(withAuthBinding({ realm: "team-beta", binding: "gemini" }, { model: "gemini-2.5-flash" })).turn("hi");
    expect(sent.at(-1)!.headers["x-goog-api-key"]).toBe("AIza-beta");
  });

  test("mob profiles take an authBinding", async () => {
    const { resolver, calls } = counting();
    registerExternalAuthResolver(wasm, resolver);
    const mob = await runtime.createMob({
      id: "bound-mob",
      profiles: { lead: { model: "claude-sonnet-4-6", authBinding: { realm: "team-alpha", binding: "anthropic" } } },
    });
    await mob.spawn([{ profile: "lead", agent_identity: "lead-1" }]);
    const lead = mob.member("lead-1");
    const done = await lead.waitForRun((await lead.send("Hello, lead.")).runId as number);
    expect(done.text.length).toBeGreaterThan(0);
    expect(calls).toEqual([{ realm: "team-alpha", binding: "anthropic", provider: "anthropic" }]);
    expect(credentialOf(sent.at(-1)!)).toBe("tok-SECRET-1");
    await expect(
      runtime.createMob({ id: "m2", profiles: { lead: { model: "claude-sonnet-4-6", authBinding: { realm: "nope", binding: "x" } } } }),
    ).rejects.toMatchObject({ code: "INVALID_MOB_DEFINITION", message: expect.stringContaining("authBinding nope/x") });
  });
});

describe("failures fail the run and leave the runtime usable", () => {
  const cases: Array<[string, () => void, string, RegExp]> = [
    [
      "the resolver throws",
      () => registerExternalAuthResolver(wasm, async () => Promise.reject(new Error("login expired"))),
      "AUTH_RESOLVER_FAILED",
      /team-alpha\/anthropic: login expired/,
    ],
    [
      "the resolver times out",
      () => registerExternalAuthResolver(wasm, () => new Promise(() => {}), { timeoutMs: 50 }),
      "AUTH_RESOLVER_FAILED",
      /did not answer within 50 ms/,
    ],
    [
      "the lease is malformed",
      () => registerExternalAuthResolver(wasm, () => ({ kind: "inline_secret" }) as never),
      "AUTH_LEASE_INVALID",
      /lease\.secret must be a non-empty string/,
    ],
    [
      // fetch takes a header value as Latin-1 only: sent, it would fail as a NETWORK_ERROR.
      "the lease's secret cannot go into an HTTP header",
      () => registerExternalAuthResolver(wasm, () => leaseOf("tok-SECRET-€")),
      "AUTH_LEASE_INVALID",
      /lease\.secret must be text an HTTP header can carry/,
    ],
    [
      "the lease's metadata is not an object",
      () => registerExternalAuthResolver(wasm, () => ({ kind: "inline_secret", secret: "tok-SECRET-x", metadata: "tok-SECRET-m" }) as never),
      "AUTH_LEASE_INVALID",
      /lease\.metadata must be an object/,
    ],
    [
      "the lease has expired",
      () => registerExternalAuthResolver(wasm, () => leaseOf("tok-SECRET-old", "2001-01-01T00:00:00Z")),
      "AUTH_LEASE_INVALID",
      /already past/,
    ],
    [
      "the lease is not JSON data",
      () => registerExternalAuthResolver(wasm, () => ({ kind: "inline_secret", secret: "tok-SECRET-x", metadata: { n: 1n } }) as never),
      "AUTH_LEASE_INVALID",
      /not JSON data/,
    ],
    ["no resolver is registered", () => clearExternalAuthResolver(wasm), "AUTH_RESOLVER_MISSING", /registerExternalAuthResolver/],
  ];
  for (const [name, setup, code, message] of cases) {
    test(name, async () => {
      setup();
      const session = alpha();
      const other = alpha();
      const [error, otherError] = await Promise.all([errorOf(session.turn("hi")), errorOf(other.turn("hi too"))]);
      for (const e of [error, otherError]) {
        expect(e).toBeInstanceOf(MeerkatError);
        expect(e.code).toBe(code);
        expect(e.message).toMatch(message);
        expect(e.message).not.toContain("tok-SECRET");
      }
      expect(sent).toHaveLength(0);
      const events = session.pollEvents();
      expect(events.map((e) => e.type)).toEqual(["run_started", "run_failed"]);
      expect(await session.history()).toEqual([]);
      // Usable: a working resolver, and the same session runs.
      registerExternalAuthResolver(wasm, () => leaseOf("tok-SECRET-good"));
      expect((await session.turn("again")).text.length).toBeGreaterThan(0);
      expect(credentialOf(sent.at(-1)!)).toBe("tok-SECRET-good");
    });
  }
});
