/**
 * The docs' samples for external auth ("Create session and run turn",
 * OAuth part) and for packs ("Initialize runtime", initFromMobpack),
 * verbatim, on the main thread of a real browser. Around them: the realm
 * the auth sample binds to, a stand-in for the host app's login
 * (`hostAuth`), and the pack's bytes (the demo's signed example pack).
 * The e2e suite reads the verdict written at the end.
 */
import { writeVerdict } from "./seed-verdict.js";
import { MeerkatRuntime } from "@rkat/web";
import * as wasm from "@rkat/web/wasm/meerkat_web_runtime.js";
import { registerExternalAuthResolver, withAuthBinding } from "@rkat/web";

// The host app's login, as the sample calls it.
const hostAuth = {
  calls: 0,
  async freshAccessToken(binding: { realm: string; binding: string; provider: string }) {
    hostAuth.calls += 1;
    return { accessToken: `oauth-${binding.realm}-${hostAuth.calls}`, accountId: "acct-42", expiresAt: Date.now() + 3_600_000 };
  },
};

// The realm the sample's binding names, external_resolver as the docs say.
const runtime = await MeerkatRuntime.init(wasm, {
  anthropicApiKey: "proxy",
  anthropicBaseUrl: "http://localhost:3100/anthropic",
  model: "claude-sonnet-4-6",
  realms: {
    "team-alpha": {
      bindings: {
        anthropic: { provider: "anthropic", credentialSource: "external_resolver", baseUrl: "http://localhost:3100/anthropic" },
      },
    },
  },
});

// ---- Create session and run turn (external auth resolver) ----
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
// ---- end of the sample ----
const authResult = await bound.turn("Hello");

// ---- Initialize runtime (from a mobpack) ----
const mobpackBytes = new Uint8Array(await (await fetch(__DEMO_PACK__.file)).arrayBuffer());
let refusal: { code?: string; message?: string } = {};
try {
  const runtime = await MeerkatRuntime.initFromMobpack(wasm, mobpackBytes, {
    anthropicApiKey: "sk-ant-...",
    model: "claude-sonnet-4-6",
  });
  runtime.destroy();
} catch (error) {
  refusal = error as { code?: string; message?: string };
}
// ---- end of the sample: strict by default, so the same call with the signer pinned ----
const packed = await MeerkatRuntime.initFromMobpack(wasm, mobpackBytes, {
  anthropicApiKey: "proxy",
  model: "claude-sonnet-4-6",
  mobpackTrust: { trustedSigners: { [__DEMO_PACK__.signerId]: __DEMO_PACK__.publicKey } },
});
const mob = await packed.createMob(packed.mobpack.definition);
await mob.spawn([{ profile: "lead", agent_identity: "lead-1" }]);
const lead = mob.member("lead-1");
const packResult = await lead.waitForRun((await lead.send("Hello from the pack")).runId);

writeVerdict({
  ok: true,
  resultText: authResult.text,
  auth: { resolverCalls: hostAuth.calls },
  pack: { refusalCode: refusal.code, refusalMessage: refusal.message, name: packed.mobpack.manifest.name, signerId: packed.mobpack.signerId, replyText: packResult.text },
});
