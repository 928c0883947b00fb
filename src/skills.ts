/**
 * Skills: named instructions from embedded or HTTP sources, referred to
 * by `SkillKey` (or the legacy `"<sourceUuid>/<skillName>"` string).
 */
import { describeValue, fail, isPlainObject } from "./validate.js";

/** Structured skill identifier. Preferred over legacy string references. */
export interface SkillKey {
  readonly sourceUuid: string;
  readonly skillName: string;
}

/** A `SkillKey`, or the legacy string `"<sourceUuid>/<skillName>"` (deprecated). */
export type SkillRef = SkillKey | string;

/** One skill of an embedded source. `content` is markdown; front matter may give `name`/`description`. */
export interface EmbeddedSkill {
  name?: string;
  description?: string;
  content: string;
}

/** `runtime.addSkillSource` input: embedded skills, or the URL of a JSON index. */
export type SkillSourceInput =
  | { sourceUuid?: string; name?: string; skills: EmbeddedSkill[] }
  | { sourceUuid?: string; name?: string; url: string };

export interface SourceHealthSnapshot {
  readonly state: string;
  readonly invalidRatio: number;
  readonly invalidCount: number;
  readonly totalCount: number;
  readonly failureStreak: number;
  readonly handshakeFailed: boolean;
}

export interface SkillQuarantineDiagnostic {
  readonly sourceUuid: string;
  readonly skillId: string;
  readonly location: string;
  readonly errorCode: string;
  readonly errorClass: string;
  readonly message: string;
  readonly firstSeenUnixSecs: number;
  readonly lastSeenUnixSecs: number;
}

/** Runtime diagnostics from the skill subsystem (`RunResult.skillDiagnostics`). */
export interface SkillRuntimeDiagnostics {
  readonly sourceHealth: SourceHealthSnapshot;
  readonly quarantined: readonly SkillQuarantineDiagnostic[];
}

/** What `runtime.listSkillSources()` reports per source. */
export interface SkillSourceInfo {
  readonly sourceUuid: string;
  readonly name?: string;
  readonly kind: "embedded" | "http";
  readonly url?: string;
  readonly skills: readonly { name: string; description: string }[];
  readonly health: SourceHealthSnapshot;
}

let warnedLegacy = false;

/** Warn once per page that a legacy string reference was used. */
export function warnLegacy(ref: string): void {
  if (warnedLegacy) return;
  warnedLegacy = true;
  console.warn(
    `@rkat/web: the skill reference ${JSON.stringify(ref)} uses the deprecated "<sourceUuid>/<skillName>" string form; pass { sourceUuid, skillName } instead`,
  );
}

/**
 * One reference, checked in full (the legacy form warns once): a
 * `SkillKey` of non-empty strings, or a `"<sourceUuid>/<skillName>"` string.
 */
export function skillRef(ref: unknown, what: string, code = "INVALID_ARGUMENT"): SkillRef {
  const key = ref as Partial<SkillKey>;
  const legacy = typeof ref === "string";
  const ok = legacy
    ? /^[^/]+\/./s.test(ref)
    : isPlainObject(ref) && typeof key.sourceUuid === "string" && !!key.sourceUuid && typeof key.skillName === "string" && !!key.skillName;
  if (!ok) {
    const got = legacy ? JSON.stringify(ref.slice(0, 80)) : describeValue(ref);
    fail(code, `${what} must be { sourceUuid, skillName } (non-empty strings) or a "<sourceUuid>/<skillName>" string, got ${got}`);
  }
  if (legacy) warnLegacy(ref);
  return ref as SkillRef;
}

/** Check a list of references (the core resolves them). */
export function skillRefs(value: unknown, what: string, code = "INVALID_ARGUMENT"): SkillRef[] {
  if (!Array.isArray(value)) fail(code, `${what} must be an array of skill references`);
  value.forEach((ref, i) => skillRef(ref, `${what}[${i}]`, code));
  return value as SkillRef[];
}
