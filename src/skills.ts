/**
 * Skills: named instructions from embedded or HTTP sources, referred to
 * by `SkillKey` (or the legacy `"<sourceUuid>/<skillName>"` string).
 */
import { fail, isPlainObject } from "./validate.js";

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
function warnLegacy(ref: string): void {
  if (warnedLegacy) return;
  warnedLegacy = true;
  console.warn(
    `@rkat/web: the skill reference ${JSON.stringify(ref)} uses the deprecated "<sourceUuid>/<skillName>" string form; pass { sourceUuid, skillName } instead`,
  );
}

/** Check a list of references (shape only; the core resolves them). */
export function skillRefs(value: unknown, what: string, code = "INVALID_ARGUMENT"): SkillRef[] {
  if (!Array.isArray(value)) fail(code, `${what} must be an array of skill references`);
  for (const ref of value) {
    if (typeof ref === "string") warnLegacy(ref);
    else if (!isPlainObject(ref)) fail(code, `${what}: each reference is a SkillKey { sourceUuid, skillName } or a "<sourceUuid>/<skillName>" string`);
  }
  return value as SkillRef[];
}
