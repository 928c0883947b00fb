/**
 * Argument checks of the mob API, shared by the main thread and the Worker
 * client (so bad input is refused on the page, before it crosses). Only
 * what is cheap: types of ids, content and options. The definition and the
 * spawn rows are checked in depth by the core.
 */
import type { MemberSendOptions, MobDefinition, SpawnSpec } from "./types.js";
import type { Prompt } from "../types.js";
import { warnLegacy } from "../skills.js";
import { describeValue, fail, isPlainObject, requireObject, requirePrompt, requireString, toJsonText } from "../validate.js";

const HANDLING_MODES = ["queue", "steer"];

export function checkDefinition(definition: MobDefinition, what: string): void {
  requireObject(definition, what, "INVALID_MOB_DEFINITION");
  toJsonText(definition, what, "INVALID_MOB_DEFINITION");
  // A profile's "<sourceUuid>/<skillName>" string is the deprecated form, as in a session's refs.
  for (const profile of isPlainObject(definition.profiles) ? Object.values(definition.profiles) : []) {
    const skills: unknown = isPlainObject(profile) && profile.skills;
    if (Array.isArray(skills)) for (const ref of skills) if (typeof ref === "string" && ref.includes("/")) warnLegacy(ref);
  }
}

/** An array of plain objects; what is in each row is the core's (a bad row fails alone). */
export function checkSpecs(specs: SpawnSpec[], what: string): void {
  if (!Array.isArray(specs)) {
    fail("INVALID_ARGUMENT", `${what}: pass an array of { profile, agent_identity }, got ${describeValue(specs)}`);
  }
  specs.forEach((spec, i) => requireObject(spec, `${what}: specs[${i}]`));
  toJsonText(specs, `${what}: specs`);
}

export function checkContent(content: Prompt, what: string): void {
  requirePrompt(content, what);
  toJsonText(content, what);
}

/** `member.send` options; the command's fields for them. */
export function sendOptions(options: MemberSendOptions | undefined, what: string): { handlingMode: "queue" | "steer" } {
  if (options === undefined) return { handlingMode: "queue" };
  const o = requireObject(options, `${what}: options`);
  for (const key of Object.keys(o)) {
    if (key !== "handlingMode") fail("INVALID_ARGUMENT", `${what}: unknown option ${JSON.stringify(key)}; expected handlingMode`);
  }
  const mode = o.handlingMode ?? "queue";
  if (typeof mode !== "string" || !HANDLING_MODES.includes(mode)) {
    fail("INVALID_ARGUMENT", `${what}: options.handlingMode must be "queue" or "steer", got ${JSON.stringify(mode) ?? describeValue(mode)}`);
  }
  return { handlingMode: mode as "queue" | "steer" };
}

export function checkInitialMessage(message: Prompt | undefined, what: string): void {
  if (message !== undefined) checkContent(message, what);
}

export function checkParams(params: Record<string, unknown> | undefined, what: string): Record<string, unknown> {
  if (params === undefined) return {};
  requireObject(params, what);
  toJsonText(params, what);
  return params;
}

export function checkRunId(runId: number, what: string): number {
  if (typeof runId !== "number" || !Number.isSafeInteger(runId) || runId < 0) {
    fail("INVALID_ARGUMENT", `${what} must be the runId a send, spawn or respawn returned (a number), got ${JSON.stringify(runId) ?? describeValue(runId)}`);
  }
  return runId;
}
