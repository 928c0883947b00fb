/**
 * Leases at their edges, against the simulated provider: `expires_at` in
 * every accepted form and malformed ones, the 30 s margin to the
 * millisecond, a refused credential re-resolved on every request that can
 * carry one (a summary's too, and Gemini's 400 for a bad key), retries
 * beside the re-resolve, and the exact credential header per provider.
 */
import { describe, expect, test, vi } from "vitest";
import {
  MeerkatRuntime,
  registerExternalAuthResolver,
  withAuthBinding,
  type AuthResolverRequest,
  type RealmBindingConfig,
  type Session,
} from "@rkat/web";
import { proxyUrl, script, wasm } from "./support/runtime.js";
import { ALPHA, authRuntime, credentialOf, leaseOf, type Sent, authRuntimePerTest } from "./support/auth.js";
import { errorOf, ofType } from "./support/features.js";

let runtime: MeerkatRuntime;
let sent: Sent[];

authRuntimePerTest((made, log) => {
  runtime = made;
  sent = log;
});

const alpha = (config = {}): Session =>
  runtime.createSession(withAuthBinding(ALPHA, config));

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

/** A runtime whose realm `r` has only `bindings` (on the simulated provider). */
async function withBindings(bindings: Record<string, Omit<RealmBindingConfig, "baseUrl">>): Promise<void> {
  runtime.destroy();
  const base = proxyUrl();
  const prefix = { anthropic: "/anthropic", openai: "/openai/v1", gemini: "/gemini" };
  const realm = Object.fromEntries(
    Object.entries(bindings).map(([name, b]) => [name, { ...b, baseUrl: `${base}${prefix[b.provider]}` }]),
  );
  ({ runtime, sent } = await authRuntime({ realms: { r: { bindings: realm } } }));
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

describe("a refused credential is re-resolved once", () => {
  test("Gemini's 400 for a bad key (API_KEY_INVALID) drops the lease and asks again, like a 401", async () => {
    await withBindings({ key: { provider: "gemini", credentialSource: "external_resolver" } });
    const { resolver, calls } = counting();
    registerExternalAuthResolver(wasm, resolver);
    const session = runtime.createSession(withAuthBinding({ realm: "r", binding: "key" }, { model: "gemini-2.5-flash" }));
    await script("error=400");
    expect((await session.turn("hello")).text.length).toBeGreaterThan(0);
    expect(sent.map((r) => r.headers["x-goog-api-key"])).toEqual(["tok-SECRET-1", "tok-SECRET-2"]);
    // Refused twice: PROVIDER_AUTH, and the refused key is not kept.
    await script("error=400", "error=400");
    const error = await errorOf(session.turn("again"));
    expect(error.code).toBe("PROVIDER_AUTH");
    expect(error.message).toContain("a fresh lease from the external auth resolver was refused too");
    await session.turn("and now");
    expect(calls).toHaveLength(4);
    expect(sent.at(-1)!.headers["x-goog-api-key"]).toBe("tok-SECRET-4");
  });

  test("a 400 that is not about the key is no reason to ask again", async () => {
    const { resolver, calls } = counting();
    registerExternalAuthResolver(wasm, resolver);
    await script("error=400");
    expect((await errorOf(alpha().turn("hello"))).code).toBe("PROVIDER_BAD_REQUEST");
    expect(calls).toHaveLength(1);
  });

  test("compact(): a 401 on the summary request is sent again with a fresh lease, as one compaction", async () => {
    const { resolver, calls } = counting();
    registerExternalAuthResolver(wasm, resolver);
    const session = alpha({ compaction: { keepRecentTurns: 1 } });
    await session.turn("one");
    await session.turn("two");
    session.pollEvents();
    await script("error=401");
    await session.compact();
    expect(calls).toHaveLength(2);
    expect(sent.map(credentialOf)).toEqual(["tok-SECRET-1", "tok-SECRET-1", "tok-SECRET-1", "tok-SECRET-2"]);
    const events = session.pollEvents();
    expect(ofType(events, "compaction_started")).toHaveLength(1);
    expect(ofType(events, "compaction_completed")).toHaveLength(1);
    // Refused twice: compact() fails, and the refused lease is not kept.
    await session.turn("three");
    await script("error=401", "error=401");
    expect((await errorOf(session.compact())).code).toBe("PROVIDER_AUTH");
    await session.turn("four");
    expect(sent.slice(4).map(credentialOf)).toEqual(["tok-SECRET-2", "tok-SECRET-2", "tok-SECRET-3", "tok-SECRET-4"]);
  });

  test("an automatic compaction refused once is sent again; the turn's own request keeps its own second chance", async () => {
    const { resolver, calls } = counting();
    registerExternalAuthResolver(wasm, resolver);
    const session = alpha({ compaction: { thresholdTokens: 1, keepRecentTurns: 1 } });
    await session.turn("My name is Ada.");
    session.pollEvents();
    await script("error=401", "deltas=3", "error=401");
    const result = await session.turn("What is my name?");
    expect(result.text.length).toBeGreaterThan(0);
    expect(calls).toHaveLength(3);
    const events = session.pollEvents();
    expect(ofType(events, "compaction_started")).toHaveLength(1);
    expect(ofType(events, "compaction_failed")).toEqual([]);
  });

  test("retries and the re-resolve: a transient failure is retried with the lease, a 401 re-resolves once per LLM turn", async () => {
    runtime.destroy();
    ({ runtime, sent } = await authRuntime({ retry: { maxRetries: 3, initialDelayMs: 1, maxDelayMs: 5 } }));
    const { resolver, calls } = counting();
    registerExternalAuthResolver(wasm, resolver);
    const session = alpha();
    await script("error=529", "error=401", "error=529");
    expect((await session.turn("hello")).text.length).toBeGreaterThan(0);
    expect(sent.map(credentialOf)).toEqual(["tok-SECRET-1", "tok-SECRET-1", "tok-SECRET-2", "tok-SECRET-2"]);
    // Retries do not buy a second re-resolve: a 401 after the fresh lease is final.
    session.pollEvents();
    await script("error=401", "error=529", "error=401");
    const error = await errorOf(session.turn("again"));
    expect(error.code).toBe("PROVIDER_AUTH");
    expect(calls).toHaveLength(3);
    expect(ofType(session.pollEvents(), "retrying")).toHaveLength(1);
  });
});

test("each provider gets the secret in exactly its header, in both header styles", async () => {
  await withBindings({
    anthropicKey: { provider: "anthropic", credentialSource: "external_resolver" },
    anthropicBearer: { provider: "anthropic", credentialSource: "external_resolver", header: "bearer" },
    chatKey: { provider: "openai", credentialSource: "external_resolver" },
    chatBearer: { provider: "openai", credentialSource: "external_resolver", header: "bearer" },
    responsesBearer: { provider: "openai", credentialSource: "external_resolver", header: "bearer", openaiApi: "responses" },
    geminiKey: { provider: "gemini", credentialSource: "external_resolver" },
    geminiBearer: { provider: "gemini", credentialSource: "external_resolver", header: "bearer" },
  });
  registerExternalAuthResolver(wasm, (request) => leaseOf(`tok-SECRET-${request.binding}`));
  const credentials = ["x-api-key", "authorization", "x-goog-api-key"];
  const cases: Array<[string, string, string, string]> = [
    ["anthropicKey", "claude-sonnet-4-6", "x-api-key", "tok-SECRET-anthropicKey"],
    ["anthropicBearer", "claude-sonnet-4-6", "authorization", "Bearer tok-SECRET-anthropicBearer"],
    ["chatKey", "gpt-5", "authorization", "Bearer tok-SECRET-chatKey"],
    ["chatBearer", "gpt-5", "authorization", "Bearer tok-SECRET-chatBearer"],
    ["responsesBearer", "gpt-5", "authorization", "Bearer tok-SECRET-responsesBearer"],
    ["geminiKey", "gemini-2.5-flash", "x-goog-api-key", "tok-SECRET-geminiKey"],
    ["geminiBearer", "gemini-2.5-flash", "authorization", "Bearer tok-SECRET-geminiBearer"],
  ];
  for (const [binding, model, header, value] of cases) {
    const result = await runtime.createSession(withAuthBinding({ realm: "r", binding }, { model })).turn("hi");
    expect(result.text.length, binding).toBeGreaterThan(0);
    const request = sent.at(-1)!;
    const carried = Object.fromEntries(credentials.filter((h) => h in request.headers).map((h) => [h, request.headers[h]]));
    expect([binding, carried]).toEqual([binding, { [header]: value }]);
    expect(request.url).not.toContain("key=");
  }
});
