/** Helpers of the auth suites: realms on the simulated provider, a recording fetch, a fake login. */
import { afterEach, beforeEach, vi } from "vitest";
import { clearExternalAuthResolver, MeerkatRuntime, type AuthLease, type AuthResolverRequest, type RuntimeConfig } from "@rkat/web";
import { connectRuntime, exposeRuntime, type WorkerRuntime } from "@rkat/web/worker";
import { gate, until } from "./features.js";
import { proxyUrl, resetSim, wasm } from "./runtime.js";

/**
 * A resolver held at a gate: it records each call and answers `secret`
 * once released (`release()` resolves when the gate has opened).
 */
export function held(secret: string) {
  const release = gate();
  const calls: AuthResolverRequest[] = [];
  const resolver = async (request: AuthResolverRequest) => {
    calls.push(request);
    await release.promise;
    return leaseOf(secret);
  };
  return { resolver, calls, release: () => (release.resolve(), release.promise) };
}

/** Until `calls` has one. */
export const called = (calls: unknown[]) => until(() => (calls.length > 0 ? true : undefined));

/** Every request the runtime sent, with its headers as sent (the simulator's own log redacts them). */
export interface Sent {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * A `fetch` that records each request, then sends it. With `echoKey`, it
 * is also a careless gateway: every error body it passes on quotes the key
 * of the request it refused (in the JSON error's message).
 */
export function recordingFetch(echoKey = false): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const recording: typeof fetch = async (input, init) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of new Headers(init?.headers)) headers[name] = value;
    const request = { url: String(input), headers, body: String(init?.body ?? "") };
    sent.push(request);
    const response = await globalThis.fetch(input, init);
    if (!echoKey || response.ok) return response;
    const body = (await response.json()) as { error?: { message?: string } };
    if (body.error) body.error.message = `${body.error.message ?? ""} (refused key: ${credentialOf(request) ?? "none"})`;
    return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
  };
  return { fetch: recording, sent };
}

/** The binding most tests run on: `realmsConfig`'s resolver-backed Anthropic binding. */
export const ALPHA = { realm: "team-alpha", binding: "anthropic" } as const;

/** `team-alpha` takes its credentials from the resolver; `team-beta` has inline keys. */
export function realmsConfig(): RuntimeConfig {
  const base = proxyUrl();
  return {
    anthropicApiKey: "proxy",
    anthropicBaseUrl: `${base}/anthropic`,
    model: "claude-sonnet-4-6",
    retry: { maxRetries: 0 },
    realms: {
      "team-alpha": {
        bindings: {
          anthropic: { provider: "anthropic", credentialSource: "external_resolver", baseUrl: `${base}/anthropic` },
          oauth: { provider: "anthropic", credentialSource: "external_resolver", baseUrl: `${base}/anthropic`, header: "bearer" },
          openai: { provider: "openai", credentialSource: "external_resolver", baseUrl: `${base}/openai/v1` },
          responses: {
            provider: "openai",
            credentialSource: "external_resolver",
            baseUrl: `${base}/openai/v1`,
            openaiApi: "responses",
          },
          gemini: { provider: "gemini", credentialSource: "external_resolver", baseUrl: `${base}/gemini`, header: "bearer" },
        },
      },
      "team-beta": {
        bindings: {
          gemini: { provider: "gemini", credentialSource: "inline", apiKey: "AIza-beta", baseUrl: `${base}/gemini` },
        },
      },
    },
  };
}

/** A runtime with the realms above and a recording fetch. */
export async function authRuntime(
  extra: RuntimeConfig = {},
  { echoKey = false } = {},
): Promise<{ runtime: MeerkatRuntime; sent: Sent[] }> {
  const { fetch, sent } = recordingFetch(echoKey);
  const runtime = await MeerkatRuntime.init(wasm, { ...realmsConfig(), ...extra }, { fetch });
  return { runtime, sent };
}

/**
 * An `authRuntime()` for each test (the simulated provider reset first),
 * handed to `use`; after the test it is destroyed, the module's resolver
 * cleared and real timers restored.
 */
export function authRuntimePerTest(use: (runtime: MeerkatRuntime, sent: Sent[]) => void): void {
  let runtime: MeerkatRuntime | undefined;
  beforeEach(async () => {
    await resetSim();
    const made = await authRuntime();
    runtime = made.runtime;
    use(made.runtime, made.sent);
  });
  afterEach(() => {
    runtime?.destroy();
    clearExternalAuthResolver(wasm);
    vi.useRealTimers();
  });
}

/**
 * The same through the Worker bridge, for each test: a Worker host (in this
 * process, on the same module object) with the realms and a recording fetch.
 */
export function workerAuthRuntimePerTest(use: (runtime: WorkerRuntime, sent: Sent[]) => void): void {
  let runtime: WorkerRuntime | undefined;
  let channel: MessageChannel | undefined;
  beforeEach(async () => {
    await resetSim();
    const recording = recordingFetch();
    channel = new MessageChannel();
    exposeRuntime(wasm, { endpoint: channel.port1 as never, fetch: recording.fetch });
    runtime = await connectRuntime(channel.port2 as never, realmsConfig());
    use(runtime, recording.sent);
  });
  afterEach(async () => {
    await runtime?.destroy().catch(() => {});
    channel?.port1.close();
    channel?.port2.close();
    clearExternalAuthResolver(wasm);
  });
}

/**
 * The host app's login, as the docs' sample calls it: each call mints a
 * new access token (`tok-N`) valid for `lifetimeMs` from the current `Date`.
 */
export function fakeHostAuth(lifetimeMs = 3_600_000) {
  const calls: AuthResolverRequest[] = [];
  const hostAuth = {
    calls,
    async freshAccessToken(binding: AuthResolverRequest) {
      calls.push({ ...binding });
      return {
        accessToken: `tok-SECRET-${calls.length}`,
        accountId: "acct-7",
        expiresAt: new Date(Date.now() + lifetimeMs).toISOString(),
      };
    },
  };
  return hostAuth;
}

/** A lease with a fresh secret of `calls` so far. */
export function leaseOf(secret: string, expires_at?: string | number): AuthLease {
  return expires_at === undefined ? { kind: "inline_secret", secret } : { kind: "inline_secret", secret, expires_at };
}

/** The credential a recorded request carried (key header or Bearer token). */
export function credentialOf(request: Sent): string | undefined {
  return request.headers["x-api-key"] ?? request.headers["x-goog-api-key"] ?? request.headers.authorization;
}
