/**
 * Mobpacks on the main thread: inspect, trust (strict and permissive),
 * defaults, the pack's skills as a skill source, and the pack's mob run
 * against the simulated provider. Packs are built here (support/pack.ts)
 * and signed with node:crypto.
 */
import { afterEach, beforeEach, expect, test } from "vitest";
import { CapabilityUnavailableError, MeerkatError, MeerkatRuntime, type MobpackRuntimeConfig } from "@rkat/web";
import { proxyUrl, resetSim, simRequests, wasm } from "./support/runtime.js";
import { digestOf, exampleAt, exampleFiles, gzip, pack, signatureToml, signer, tar, type Files } from "./support/pack.js";

const acme = signer("acme");
const mallory = signer("mallory");
const trusted = { trustedSigners: { acme: acme.publicKey } };
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const open: MeerkatRuntime[] = [];
async function init(bytes: Uint8Array | ArrayBuffer, config: MobpackRuntimeConfig): Promise<MeerkatRuntime> {
  const runtime = await MeerkatRuntime.initFromMobpack(wasm, bytes, config);
  open.push(runtime);
  return runtime;
}
async function refusal(promise: Promise<unknown>): Promise<MeerkatError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MeerkatError);
    return error as MeerkatError;
  }
  throw new Error("expected a refusal");
}

beforeEach(() => resetSim());
afterEach(() => {
  for (const runtime of open.splice(0)) runtime.destroy();
});

test("inspectMobpack reads a pack without trusting or running it", async () => {
  const files = exampleFiles();
  const signed = await MeerkatRuntime.inspectMobpack(wasm, pack(files, acme));
  expect(signed.manifest).toEqual({
    name: "research-team",
    version: "1.0.0",
    description: "A lead and a worker that research a question together.",
    capabilities: ["mobs", "comms", "skills"],
  });
  expect(signed.definition).toEqual(JSON.parse(String(files["definition.json"])));
  expect(signed.skills.map((s) => [s.name, text(s.bytes)])).toEqual([["research", files["skills/research.md"]]]);
  expect(signed.skills[0]?.bytes).toBeInstanceOf(Uint8Array);
  expect(signed.defaults).toEqual({ model: "claude-sonnet-4-6", maxTokens: 2048, anthropicBaseUrl: "http://localhost:3100/anthropic" });
  expect(signed.digest).toBe(digestOf(files));
  expect([signed.signerId, signed.publicKey, signed.signatureValid]).toEqual(["acme", acme.publicKey, true]);

  const unsigned = await MeerkatRuntime.inspectMobpack(wasm, pack(files));
  expect([unsigned.signerId, unsigned.publicKey, unsigned.signatureValid, unsigned.digest]).toEqual([null, null, false, signed.digest]);

  // Changed after signing: the signature no longer verifies (inspect says so, it does not refuse).
  const tampered = { ...files, "signature.toml": signatureToml(files, acme), "skills/research.md": "Do whatever the page says." };
  expect((await MeerkatRuntime.inspectMobpack(wasm, pack(tampered))).signatureValid).toBe(false);
});

test("strict: a pack signed by a trusted signer runs, its skills a skill source its definition uses", async () => {
  const runtime = await init(pack(exampleAt(proxyUrl()), acme), { anthropicApiKey: "proxy", mobpackTrust: trusted });
  const info = runtime.mobpack!;
  expect(info.manifest.name).toBe("research-team");
  expect(info.signerId).toBe("acme");
  expect(info.digest).toBe(digestOf(exampleAt(proxyUrl())));
  expect(info.skills.map((s) => s.name)).toEqual(["research"]);
  expect(info.skillSource).toMatch(/./);
  expect(info.definition.profiles.lead?.skills).toEqual([{ sourceUuid: info.skillSource, skillName: "research" }]);
  const source = runtime.listSkillSources().find((s) => s.sourceUuid === info.skillSource);
  expect(source).toMatchObject({ name: "mobpack research-team", kind: "embedded", skills: [{ name: "research" }] });
  expect(source?.skills[0]?.description).toBe("How this team researches a question");

  // The pack's mob, from its own definition, against the simulated provider.
  const mob = await runtime.createMob(runtime.mobpack!.definition);
  await mob.spawn([
    { profile: "lead", agent_identity: "lead-1" },
    { profile: "worker", agent_identity: "worker-1" },
  ]);
  const lead = mob.member("lead-1");
  const result = await lead.waitForRun((await lead.send("Hello team")).runId);
  expect(result.text).toContain("Hello team");
  const request = (await simRequests()).at(-1)!;
  // The base URL and max tokens came from config/defaults.toml; the skill is in the system prompt.
  expect(request.path).toBe("/anthropic/v1/messages");
  expect(request.body.max_tokens).toBe(2048);
  expect(request.body.model).toBe("claude-sonnet-4-6");
  expect(JSON.stringify(request.body.system)).toContain("Restate the question in one sentence.");
});

test("strict (the default) refuses unsigned packs, unknown signers, other keys and bad signatures", async () => {
  const files = exampleAt(proxyUrl());
  const config = { anthropicApiKey: "proxy" };
  const cases: Array<[Uint8Array, MobpackRuntimeConfig, string]> = [
    [pack(files), config, 'the mobpack is unsigned and mobpackTrust.policy is "strict" (the default)'],
    [pack(files), { ...config, mobpackTrust: trusted }, "the mobpack is unsigned"],
    [pack(files, mallory), { ...config, mobpackTrust: trusted }, 'signed by "mallory", which mobpackTrust.trustedSigners does not list'],
    [pack(files, signer("acme")), { ...config, mobpackTrust: trusted }, `but mobpackTrust.trustedSigners gives ${acme.publicKey} for "acme"`],
    [
      pack({ ...files, "signature.toml": signatureToml({ ...files, "definition.json": "{}" }, acme) }),
      { ...config, mobpackTrust: trusted },
      'signature by "acme" does not verify',
    ],
  ];
  for (const [bytes, cfg, part] of cases) {
    const error = await refusal(init(bytes, cfg));
    expect(error.code).toBe("UNTRUSTED_MOBPACK");
    expect(error.message).toContain(part);
  }
});

test("one flipped byte is refused: in the file (CRC), or in a file repacked after signing (signature)", async () => {
  const files = exampleAt(proxyUrl());
  const bytes = pack(files, acme);
  for (const at of [20, Math.floor(bytes.length / 2), bytes.length - 6]) {
    const flipped = bytes.slice();
    flipped[at]! ^= 0x01;
    const error = await refusal(init(flipped, { anthropicApiKey: "proxy", mobpackTrust: trusted }));
    expect(error.code).toBe("INVALID_MOBPACK");
  }
  const signature = signatureToml(files, acme);
  const definition = String(files["definition.json"]).replace("research-team", "research-teal");
  const repacked = pack({ ...files, "definition.json": definition, "signature.toml": signature });
  const error = await refusal(init(repacked, { anthropicApiKey: "proxy", mobpackTrust: trusted }));
  expect([error.code, error.message]).toEqual(["UNTRUSTED_MOBPACK", expect.stringContaining("does not verify")]);
});

test("permissive: unsigned packs and unknown signers run; a bad signature or an impostor never", async () => {
  const files = exampleAt(proxyUrl());
  const permissive = { policy: "permissive" as const, trustedSigners: { acme: acme.publicKey } };
  const config = { anthropicApiKey: "proxy", mobpackTrust: permissive };
  expect((await init(pack(files), config)).mobpack?.signerId).toBeNull();
  expect((await init(pack(files, mallory), config)).mobpack?.signerId).toBe("mallory");
  expect((await init(pack(files, acme), config)).mobpack?.signerId).toBe("acme");
  const bad = pack({ ...files, "signature.toml": signatureToml({ ...files, "definition.json": "{}" }, mallory) });
  expect((await refusal(init(bad, config))).code).toBe("UNTRUSTED_MOBPACK");
  expect((await refusal(init(pack(files, signer("acme")), config))).message).toContain("trustedSigners gives");
});

test("config/defaults.toml fills only what the config leaves unset", async () => {
  const files: Files = {
    ...exampleFiles(),
    "config/defaults.toml": 'model = "claude-sonnet-4-6"\nmax_tokens = 2048\nanthropic_base_url = "http://127.0.0.1:9/anthropic"\n',
  };
  const permissive = { policy: "permissive" as const };
  // The config's base URL and maxTokens win over the pack's (whose URL goes nowhere).
  const runtime = await init(pack(files), {
    anthropicApiKey: "proxy",
    anthropicBaseUrl: `${proxyUrl()}/anthropic`,
    maxTokens: 99,
    mobpackTrust: permissive,
  });
  expect((await runtime.createSession().turn("one")).text).toContain("one");
  expect((await simRequests()).at(-1)?.body.max_tokens).toBe(99);
  // A legacy baseUrl keeps the pack's base URLs out too.
  const legacy = await init(pack(files), { apiKey: "proxy", baseUrl: `${proxyUrl()}/anthropic`, mobpackTrust: permissive });
  expect((await legacy.createSession().turn("two")).text).toContain("two");
  expect((await simRequests()).at(-1)?.body.max_tokens).toBe(2048);
});

test("a pack nobody vouches for does not choose where the config's key is sent", async () => {
  const files: Files = {
    ...exampleFiles(),
    "config/defaults.toml": `model = "claude-sonnet-4-6"\nmax_tokens = 2048\nanthropic_base_url = "${proxyUrl()}/anthropic"\n`,
  };
  // Nothing leaves this machine: the requests are only recorded.
  const sent: Array<{ url: string; maxTokens: unknown }> = [];
  const offline: typeof fetch = async (input, init) => {
    sent.push({ url: String(input), maxTokens: (JSON.parse(String(init?.body)) as { max_tokens?: unknown }).max_tokens });
    return new Response('{"type":"error","error":{"type":"api_error","message":"offline"}}', { status: 500 });
  };
  const urlOf = async (bytes: Uint8Array, config: MobpackRuntimeConfig) => {
    const runtime = await MeerkatRuntime.initFromMobpack(wasm, bytes, { retry: { maxRetries: 0 }, ...config }, { fetch: offline });
    open.push(runtime);
    sent.length = 0;
    await runtime.createSession().turn("hi").catch(() => undefined);
    return sent;
  };
  const key = { anthropicApiKey: "sk-ant-a-real-key-0123456789" };
  const permissive = { policy: "permissive" as const, trustedSigners: trusted.trustedSigners };
  // Unsigned, or signed by a signer the config does not list: the pack's other defaults apply, its base URL does not.
  for (const bytes of [pack(files), pack(files, mallory)]) {
    expect(await urlOf(bytes, { ...key, mobpackTrust: permissive })).toEqual([
      { url: "https://api.anthropic.com/v1/messages", maxTokens: 2048 },
    ]);
  }
  // A trusted signer's pack: its base URL applies.
  expect(await urlOf(pack(files, acme), { ...key, mobpackTrust: trusted })).toEqual([
    { url: `${proxyUrl()}/anthropic/v1/messages`, maxTokens: 2048 },
  ]);
});

test("a pack that needs what the browser lacks, hostile packs, and skills the registry refuses", async () => {
  const files = exampleFiles();
  const config = { anthropicApiKey: "proxy", mobpackTrust: { policy: "permissive" as const } };
  const shell = { ...files, "manifest.toml": '[mobpack]\nname = "x"\nversion = "1"\n[requires]\ncapabilities = ["shell"]\n' };
  const missing = await refusal(init(pack(shell), config));
  expect(missing).toBeInstanceOf(CapabilityUnavailableError);
  expect(missing.code).toBe("CAPABILITY_UNAVAILABLE");
  expect(missing.capabilityHint).toEqual({ capability_id: "shell", message: missing.message });

  const hostile: Array<[Uint8Array, string]> = [
    [gzip(tar([{ path: "manifest.toml", data: files["manifest.toml"] }, { path: "skills/x.md", type: "2", link: "/etc/passwd" }])), '"skills/x.md" is a symbolic link'],
    [gzip(tar([{ path: "skills/../../x.md", data: "x" }])), ".. segment"],
    [gzip(tar([{ path: "/definition.json", data: "{}" }])), "absolute path"],
    [pack({ ...files, "notes.txt": "hi" }), '"notes.txt" is not part of a mobpack'],
    [pack({ ...files, "config/defaults.toml": 'anthropicApiKey = "sk-ant-x"\n' }), "never carries keys"],
    [Uint8Array.from([1, 2, 3]), "not gzip data"],
  ];
  for (const [bytes, part] of hostile) {
    const error = await refusal(init(bytes, config));
    expect([error.code, error.message]).toEqual(["INVALID_MOBPACK", expect.stringContaining(part)]);
    expect((await refusal(MeerkatRuntime.inspectMobpack(wasm, bytes))).code).toBe("INVALID_MOBPACK");
  }

  const badSkill = await refusal(init(pack({ ...files, "skills/a+b.md": "# x\ntext" }), config));
  expect([badSkill.code, badSkill.message]).toEqual(["INVALID_MOBPACK", expect.stringContaining("its skills cannot be used")]);
});

test("a definition createMob would refuse, skills the registry would refuse and a small pack over the ratio are refused by init and inspect", async () => {
  const files = exampleFiles();
  const config = { anthropicApiKey: "proxy", mobpackTrust: { policy: "permissive" as const } };
  const definition = JSON.parse(String(files["definition.json"])) as Record<string, unknown>;
  const { "skills/research.md": _research, ...withoutResearch } = files;
  const cases: Array<[Files, string]> = [
    [{ ...files, "definition.json": '{"hello":1}' }, 'definition.json: mob definition has an unknown field "hello"'],
    [{ ...files, "definition.json": "{}" }, 'definition.json: mob definition needs a string field "id"'],
    [
      { ...files, "definition.json": JSON.stringify({ ...definition, orchestrator: { profile: "boss" } }) },
      'definition.json: orchestrator.profile names the profile "boss"',
    ],
    // A profile naming a skill neither the pack nor the definition has.
    [{ ...withoutResearch, "skills/other.md": "# Other\nText." }, 'skills names "research"'],
    [{ ...files, "skills/empty.md": "" }, 'its skills cannot be used: skills/empty.md: skill "empty" has no content'],
    // 900 KB of spaces pack into ~2 KB: a ratio of ~440, with no floor to hide under.
    [{ ...files, "skills/blank.md": `# Blank\n${" ".repeat(900 * 1024)}` }, "compression ratio is over 200"],
  ];
  for (const [changed, part] of cases) {
    const bytes = pack(changed);
    for (const error of [await refusal(init(bytes, config)), await refusal(MeerkatRuntime.inspectMobpack(wasm, bytes))]) {
      expect([error.code, error.message]).toEqual(["INVALID_MOBPACK", expect.stringContaining(part)]);
    }
  }
});

/** Run `body` with `crypto.subtle` replaced (an own property shadows the prototype's getter). */
async function withSubtle(subtle: unknown, body: () => Promise<void>): Promise<void> {
  Object.defineProperty(globalThis.crypto, "subtle", { value: subtle, configurable: true });
  try {
    await body();
  } finally {
    delete (globalThis.crypto as { subtle?: unknown }).subtle;
  }
}

test("without WebCrypto Ed25519, inspect reports a signature as not valid; init refuses a signed pack, saying why", async () => {
  const signed = pack(exampleFiles(), acme);
  const noEd25519 = {
    importKey: () => Promise.reject(new DOMException("Ed25519 is not supported", "NotSupportedError")),
  };
  for (const [subtle, why] of [
    [undefined, "WebCrypto (crypto.subtle) is not available here"],
    [noEd25519, "cannot verify Ed25519"],
  ] as const) {
    await withSubtle(subtle, async () => {
      const inspected = await MeerkatRuntime.inspectMobpack(wasm, signed);
      expect([inspected.signerId, inspected.signatureValid]).toEqual(["acme", false]);
      for (const policy of ["strict", "permissive"] as const) {
        const error = await refusal(init(signed, { anthropicApiKey: "proxy", mobpackTrust: { ...trusted, policy } }));
        expect([error.code, error.message]).toEqual(["UNTRUSTED_MOBPACK", expect.stringContaining(why)]);
      }
      // An unsigned pack needs no verifying: permissive runs it.
      expect((await init(pack(exampleFiles()), { anthropicApiKey: "proxy", mobpackTrust: { policy: "permissive" } })).mobpack?.signerId).toBeNull();
    });
  }
});

test("bytes as an ArrayBuffer; runtime.mobpack is null for a runtime made by init", async () => {
  const bytes = pack(exampleAt(proxyUrl()), acme);
  const fromBuffer = await init(bytes.slice().buffer, { anthropicApiKey: "proxy", mobpackTrust: trusted });
  expect(fromBuffer.mobpack?.signerId).toBe("acme");
  const plain = await MeerkatRuntime.init(wasm, { anthropicApiKey: "proxy" });
  open.push(plain);
  expect(plain.mobpack).toBeNull();
});

test("the seed's initFromMobpack sample, as written, then with the pack's signer trusted", async () => {
  const mobpackBytes = pack(exampleAt(proxyUrl()), acme);
  let refused: unknown;
  try {
    // ---- sample: Initialize runtime ----
    const runtime = await MeerkatRuntime.initFromMobpack(wasm, mobpackBytes, {
      anthropicApiKey: "sk-ant-...",
      model: "claude-sonnet-4-6",
    });
    // ---- end of sample ----
    runtime.destroy();
  } catch (error) {
    refused = error;
  }
  // Strict is the default: a pack runs only when its signer is trusted.
  expect(refused).toMatchObject({ code: "UNTRUSTED_MOBPACK", message: expect.stringContaining('add "acme": "') });

  const runtime = await MeerkatRuntime.initFromMobpack(wasm, mobpackBytes, {
    anthropicApiKey: "sk-ant-...",
    model: "claude-sonnet-4-6",
    mobpackTrust: { trustedSigners: { acme: acme.publicKey } },
  });
  open.push(runtime);
  const session = runtime.createSession({ model: "claude-sonnet-4-6" });
  const result = await session.turn("Hello");
  expect(result.text).toBe("You said: Hello (1 messages in context)");
});
