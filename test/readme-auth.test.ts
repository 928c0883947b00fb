/**
 * The README's realms and external-resolver examples, run as written
 * (main thread and Worker client, against the simulated provider: only the
 * proxy's address differs), then their claims checked.
 */
import { afterEach, beforeEach, expect, test } from "vitest";
import { clearExternalAuthResolver, MeerkatRuntime, registerExternalAuthResolver, withAuthBinding } from "@rkat/web";
import { connectRuntime, exposeRuntime } from "@rkat/web/worker";
import { proxyUrl, resetSim, wasm } from "./support/runtime.js";
import { credentialOf, fakeHostAuth, leaseOf, recordingFetch, realmsConfig } from "./support/auth.js";

beforeEach(() => resetSim());
afterEach(() => clearExternalAuthResolver(wasm));

test("the README's realms example", async () => {
  const base = proxyUrl();
  const hostAuth = fakeHostAuth();
  const { fetch, sent } = recordingFetch();
  // ---- README: Realms, auth bindings and external auth resolvers ----
  const runtime = await MeerkatRuntime.init(wasm, {
    anthropicApiKey: "proxy",
    anthropicBaseUrl: `${base}/anthropic`,
    model: "claude-sonnet-4-6",
    realms: {
      "team-alpha": {
        bindings: {
          // The key is a lease from the resolver below, sent as x-api-key.
          anthropic: { provider: "anthropic", credentialSource: "external_resolver", baseUrl: `${base}/anthropic` },
          // An OAuth access token, sent as Authorization: Bearer.
          gemini: { provider: "gemini", credentialSource: "external_resolver", baseUrl: `${base}/gemini`, header: "bearer" },
          // A key of its own (a dummy one behind the proxy), on the Responses API.
          openai: { provider: "openai", credentialSource: "inline", apiKey: "proxy", baseUrl: `${base}/openai/v1`, openaiApi: "responses" },
        },
      },
    },
  }, { fetch });

  // Your login code: called when a session of an external_resolver binding
  // needs a credential, with { realm, binding, provider }.
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
  // ---- end of the README's example ----

  expect(result.text.length).toBeGreaterThan(0);
  expect(sent[0]!.headers["x-api-key"]).toBe("tok-SECRET-1");
  await runtime.createSession(withAuthBinding({ realm: "team-alpha", binding: "gemini" }, { model: "gemini-2.5-flash" })).turn("hi");
  expect(sent[1]!.headers.authorization).toBe("Bearer tok-SECRET-2");
  await runtime.createSession(withAuthBinding({ realm: "team-alpha", binding: "openai" }, { model: "gpt-5" })).turn("hi");
  expect(sent[2]!.url).toMatch(/\/openai\/v1\/responses$/);
  expect(sent[2]!.headers.authorization).toBe("Bearer proxy");
  expect(hostAuth.calls.map((c) => c.provider)).toEqual(["anthropic", "gemini"]);
  runtime.destroy();
});

test("the README's Worker example", async () => {
  const channel = new MessageChannel();
  const { fetch, sent } = recordingFetch();
  exposeRuntime(wasm, { endpoint: channel.port1 as never, fetch });
  const worker = channel.port2 as never;
  const config = realmsConfig();
  const resolver = () => leaseOf("tok-SECRET-page");
  // ---- README: In a Worker ----
  const runtime = await connectRuntime(worker, config);    // config with the realms above
  await registerExternalAuthResolver(runtime, resolver);   // or: await runtime.registerExternalAuthResolver(resolver)
  const session = await runtime.createSession(withAuthBinding({ realm: "team-alpha", binding: "anthropic" }));
  // ---- end ----
  await session.turn("Hello");
  expect(credentialOf(sent[0]!)).toBe("tok-SECRET-page");
  await runtime.destroy();
  channel.port1.close();
  channel.port2.close();
});
