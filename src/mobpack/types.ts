/**
 * Mobpack types: a mob shipped as one `.mobpack` file (a gzip-compressed
 * tar of `manifest.toml`, `definition.json`, `skills/*.md`,
 * `config/defaults.toml` and `signature.toml`).
 */
import type { MobDefinition } from "../mob/types.js";
import type { RuntimeConfig } from "../types.js";

/** The bytes of a `.mobpack` file. */
export type MobpackBytes = Uint8Array | ArrayBuffer;

/** `manifest.toml`: `[mobpack] name, version, description?` and `[requires] capabilities`. */
export interface MobpackManifest {
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  /** Capabilities the pack needs (each one `runtime.capabilities` lists as `Available`). */
  readonly capabilities: readonly string[];
}

/**
 * Which packs `initFromMobpack` runs. `strict` (the default) runs only packs
 * signed by a signer listed in `trustedSigners` with the listed key;
 * `permissive` also runs unsigned packs and packs of unknown signers, but
 * never one whose signature does not verify.
 */
export interface MobpackTrust {
  policy?: "strict" | "permissive";
  /** Signer id → its raw Ed25519 public key, 64 hex characters. */
  trustedSigners?: Record<string, string>;
}

/** `MeerkatRuntime.initFromMobpack` configuration: a `RuntimeConfig` plus the trust policy. */
export interface MobpackRuntimeConfig extends RuntimeConfig {
  mobpackTrust?: MobpackTrust;
}

/** One `skills/<name>.md` of a pack: its name (the file stem) and its bytes (UTF-8 markdown). */
export interface MobpackSkill {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** `config/defaults.toml`: what fills the runtime config where it leaves a field unset. Never keys. */
export interface MobpackDefaults {
  readonly model?: string;
  readonly maxTokens?: number;
  readonly anthropicBaseUrl?: string;
  readonly openaiBaseUrl?: string;
  readonly geminiBaseUrl?: string;
}

/** `runtime.mobpack`: the pack a runtime was made from. */
export interface MobpackInfo {
  readonly manifest: MobpackManifest;
  /**
   * The pack's mob definition, ready for `runtime.createMob`: profile skill
   * names that name one of the pack's skills (and none of the definition's
   * own `skills`) refer to the pack's skill source.
   */
  readonly definition: MobDefinition;
  readonly skills: readonly MobpackSkill[];
  /** SHA-256 of the pack's files (lowercase hex): what a signature signs. */
  readonly digest: string;
  /** Who signed the pack (its signature verified), or `null` for an unsigned pack. */
  readonly signerId: string | null;
  /** The `sourceUuid` of the embedded skill source holding the pack's skills. */
  readonly skillSource: string;
}

/** `MeerkatRuntime.inspectMobpack`: a pack read and checked, neither trusted nor run. */
export interface InspectedMobpack {
  readonly manifest: MobpackManifest;
  /** `definition.json` as it is in the pack. */
  readonly definition: MobDefinition;
  readonly skills: readonly MobpackSkill[];
  readonly defaults: MobpackDefaults | null;
  readonly digest: string;
  readonly signerId: string | null;
  /** The signer's raw Ed25519 public key (hex), or `null` for an unsigned pack. */
  readonly publicKey: string | null;
  /** The signature verifies against the digest and public key (`false` for an unsigned pack). */
  readonly signatureValid: boolean;
}
