/**
 * Mobpacks on the host: the pack reader (the core's pack part, `reader.ts`)
 * reads and checks a pack, the host verifies its
 * Ed25519 signature with WebCrypto (no signature code in any wasm), and the
 * reader decides whether to trust it. What is left here is plumbing: bytes
 * in, the verification, defaults, and the skill names of the definition.
 * `runtime.ts` imports this module on first use, so apps that never open a
 * pack do not ship it.
 */
import type { CoreErrorShape, WasmModule } from "../core.js";
import { packBytes } from "./bytes.js";
import { bindSkills, checkContents } from "./check.js";
import { packReader, type MobpackReader } from "./reader.js";
import { CapabilityUnavailableError, MeerkatError, makeError } from "../errors.js";
import type { MobDefinition } from "../mob/types.js";
import type { EmbeddedSkill } from "../skills.js";
import type { RuntimeConfig } from "../types.js";
import { describeValue, fail, isPlainObject, requireObject, toJsonText } from "../validate.js";
import type {
  InspectedMobpack,
  MobpackBytes,
  MobpackDefaults,
  MobpackInfo,
  MobpackManifest,
  MobpackRuntimeConfig,
  MobpackSkill,
} from "./types.js";

/** The reader's `read` reply's `ok` (`mobpack::read_reply` in the core). */
interface PackContents {
  manifest: MobpackManifest;
  definition: Record<string, unknown>;
  skills: { name: string; content: string }[];
  defaults: MobpackDefaults | null;
  digest: string;
  signature: { signerId: string; publicKey: string; signature: string } | null;
}

/** A pack read, verified and trusted, waiting for its runtime. */
export interface OpenedPack {
  /** The runtime config with the pack's defaults filled in, as JSON. */
  configJson: string;
  /** The `addSkillSource` input holding the pack's skills. */
  skillSource: { name: string; skills: EmbeddedSkill[] };
  /** `runtime.mobpack`, once the skill source has its id. */
  info(sourceUuid: string): MobpackInfo;
}

/** `mobpackTrust` as the JSON the core checks; only its shape is checked here. */
function trustJson(trust: unknown, what: string): string {
  if (trust === undefined) return "{}";
  if (!isPlainObject(trust)) {
    fail("INVALID_CONFIG", `${what}: config.mobpackTrust must be a plain object { policy?, trustedSigners? }, got ${describeValue(trust)}`);
  }
  return toJsonText(trust, `${what}: config.mobpackTrust`, "INVALID_CONFIG");
}

/** A core error as the right `MeerkatError`; a missing capability carries its hint. */
function coreError(error: CoreErrorShape): MeerkatError {
  const id = (error.details as { capabilityId?: unknown } | undefined)?.capabilityId;
  if (error.code === "CAPABILITY_UNAVAILABLE" && typeof id === "string") {
    return new CapabilityUnavailableError(error.code, error.message, error.details, { capability_id: id, message: error.message });
  }
  return makeError(error.code, error.message, error.details);
}

/** A call into the reader; a trap (never expected) becomes `RUNTIME_TRAPPED`. */
function callCore(call: () => string, what: string): string {
  try {
    return call();
  } catch (error) {
    throw new MeerkatError("RUNTIME_TRAPPED", `${what}: the wasm core trapped (${String(error)}); reload the module`);
  }
}

function readPack(reader: MobpackReader, bytes: Uint8Array, what: string): PackContents {
  const reply = JSON.parse(callCore(() => reader.read(bytes), what)) as { ok?: PackContents; error?: CoreErrorShape };
  if (reply.error) throw coreError(reply.error);
  return reply.ok as PackContents;
}

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/**
 * Whether the pack's signature is an Ed25519 signature of its 32 digest
 * bytes by its public key (`valid`). A key that is not a valid point
 * verifies nothing. A platform without Ed25519 cannot tell: `cannot` says
 * why, for whoever must decide (inspect reports the signature as not
 * valid; opening a signed pack refuses it rather than run it unverified).
 */
async function verify(pack: PackContents): Promise<{ valid: boolean; cannot?: string }> {
  const sig = pack.signature;
  if (!sig) return { valid: false };
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    return { valid: false, cannot: "WebCrypto (crypto.subtle) is not available here; it needs a secure context (https or localhost)" };
  }
  let key: CryptoKey;
  try {
    key = await subtle.importKey("raw", hexBytes(sig.publicKey), { name: "Ed25519" }, false, ["verify"]);
  } catch (error) {
    if ((error as { name?: unknown }).name === "NotSupportedError") {
      return {
        valid: false,
        cannot: "this engine's WebCrypto cannot verify Ed25519 (Chromium 137+, Firefox 129+, Safari 17+, Node 20+ can)",
      };
    }
    return { valid: false };
  }
  try {
    return { valid: await subtle.verify("Ed25519", key, hexBytes(sig.signature), hexBytes(pack.digest)) };
  } catch {
    return { valid: false };
  }
}

/** The `addSkillSource` input of the pack's skills. */
function skillSourceOf(pack: PackContents): { name: string; skills: { name: string; content: string }[] } {
  return { name: `mobpack ${pack.manifest.name}`, skills: pack.skills.map(({ name, content }) => ({ name, content })) };
}

const encoder = new TextEncoder();
const skillBytes = (pack: PackContents): MobpackSkill[] =>
  pack.skills.map(({ name, content }) => ({ name, bytes: encoder.encode(content) }));

/** Runtime config fields a pack's `config/defaults.toml` may fill. */
const DEFAULTED = ["model", "maxTokens", "anthropicBaseUrl", "openaiBaseUrl", "geminiBaseUrl"] as const;

/**
 * `config` with what it leaves unset taken from the pack's defaults. A
 * legacy `baseUrl` says where the caller wants requests to go: the pack's
 * base URLs are then left out. So are those of providers whose key the
 * config gives, unless a signer the config trusts vouches for the pack:
 * a pack nobody vouches for (unsigned, or an unknown signer, both only
 * under the permissive policy) must not choose where that key is sent.
 */
function withDefaults(config: RuntimeConfig, defaults: MobpackDefaults | null, vouched: boolean): RuntimeConfig {
  const filled: Record<string, unknown> = { ...config };
  for (const key of DEFAULTED) {
    if (key.endsWith("BaseUrl") && (config.baseUrl !== undefined || (!vouched && hasKey(config, key)))) continue;
    if (filled[key] === undefined && defaults?.[key] !== undefined) filled[key] = defaults[key];
  }
  return filled as RuntimeConfig;
}

/** Whether `config` gives the key of the provider of base URL field `baseUrlKey`. */
function hasKey(config: RuntimeConfig, baseUrlKey: string): boolean {
  const provider = baseUrlKey.slice(0, -"BaseUrl".length);
  const legacy = provider === "anthropic" ? config.apiKey : undefined;
  return Boolean((config as Record<string, unknown>)[`${provider}ApiKey`] ?? legacy);
}

/** The pack's signature is valid and made by a signer `trust` lists, with that key. */
function vouchedFor(pack: PackContents, valid: boolean, trust: MobpackRuntimeConfig["mobpackTrust"]): boolean {
  const listed = pack.signature && trust?.trustedSigners?.[pack.signature.signerId];
  return valid && typeof listed === "string" && listed.toLowerCase() === pack.signature?.publicKey.toLowerCase();
}

/** Read, verify and trust a pack, and fill the runtime config from it (`initFromMobpack` up to the runtime). */
export async function openPack(wasm: WasmModule, mobpackBytes: MobpackBytes, config: MobpackRuntimeConfig, what: string): Promise<OpenedPack> {
  const bytes = packBytes(mobpackBytes, `${what}: mobpackBytes`);
  requireObject(config, `${what}: config`, "INVALID_CONFIG");
  const { mobpackTrust, ...runtimeConfig } = config;
  const trust = trustJson(mobpackTrust, what);
  toJsonText(runtimeConfig, `${what}: config`, "INVALID_CONFIG");
  const reader = await packReader(wasm);
  const pack = readPack(reader, bytes, what);
  const skillSource = skillSourceOf(pack);
  await checkContents(wasm, skillSource, pack.definition);
  const { valid, cannot } = await verify(pack);
  if (cannot) throw new MeerkatError("UNTRUSTED_MOBPACK", `${what}: cannot verify the mobpack's signature: ${cannot}`);
  const verdict = callCore(() => reader.trust(trust, JSON.stringify(pack.signature), valid), what);
  if (verdict) throw coreError((JSON.parse(verdict) as { error: CoreErrorShape }).error);
  const names = pack.skills.map((s) => s.name);
  return {
    configJson: toJsonText(
      withDefaults(runtimeConfig, pack.defaults, vouchedFor(pack, valid, mobpackTrust)),
      `${what}: config`,
      "INVALID_CONFIG",
    ),
    skillSource,
    info: (sourceUuid) => ({
      manifest: pack.manifest,
      definition: bindSkills(pack.definition, names, sourceUuid),
      skills: skillBytes(pack),
      digest: pack.digest,
      signerId: pack.signature?.signerId ?? null,
      skillSource: sourceUuid,
    }),
  };
}

/** A pack's skills the skill registry refused (a name it does not allow, an empty body): the pack is at fault. */
export function packSkillError(error: unknown): unknown {
  if (!(error instanceof MeerkatError) || error.code !== "INVALID_SKILL_SOURCE") return error;
  return new MeerkatError("INVALID_MOBPACK", `invalid mobpack: its skills cannot be used: ${error.message}`);
}

/** `MeerkatRuntime.inspectMobpack`: refuses what opening the pack would (trust aside), reports the signature. */
export async function inspectPack(wasm: WasmModule, mobpackBytes: MobpackBytes, what: string): Promise<InspectedMobpack> {
  const bytes = packBytes(mobpackBytes, `${what}: mobpackBytes`);
  const pack = readPack(await packReader(wasm), bytes, what);
  await checkContents(wasm, skillSourceOf(pack), pack.definition);
  return {
    manifest: pack.manifest,
    definition: pack.definition as unknown as MobDefinition,
    skills: skillBytes(pack),
    defaults: pack.defaults,
    digest: pack.digest,
    signerId: pack.signature?.signerId ?? null,
    publicKey: pack.signature?.publicKey ?? null,
    signatureValid: (await verify(pack)).valid,
  };
}
