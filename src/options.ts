/** Per-turn options and session configs, checked before anything reaches the core. */
import { skillRefs } from "./skills.js";
import type { SessionConfig } from "./types.js";
import { fail, requireObject, toJsonText } from "./validate.js";

const TURN_OPTIONS = ["outputSchema", "budget", "skillRefs"];

/** `TurnOptions`, checked; what the core's `turn` command adds from them. */
export function turnOptions(options: unknown, what: string): Record<string, unknown> {
  if (options === undefined) return {};
  const o = requireObject(options, `${what}: options`);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(o)) {
    if (!TURN_OPTIONS.includes(key)) {
      fail("INVALID_ARGUMENT", `${what}: unknown option ${JSON.stringify(key)}; expected one of ${TURN_OPTIONS.join(", ")}`);
    }
    if (value === undefined) continue;
    if (key === "skillRefs") out[key] = skillRefs(value, `${what}: options.skillRefs`);
    else out[key] = requireObject(value, `${what}: options.${key}`, "INVALID_CONFIG");
    toJsonText(value, `${what}: options.${key}`, key === "skillRefs" ? "INVALID_ARGUMENT" : "INVALID_CONFIG");
  }
  return out;
}

/**
 * A `createSession` config, as far as the page can check it (the core
 * checks the rest); its `preloadSkills` here too, so that a legacy string
 * ref warns as a turn's does. On the main thread and through the Worker.
 */
export function checkSessionConfig(config: SessionConfig): void {
  requireObject(config, "createSession: config", "INVALID_CONFIG");
  toJsonText(config, "createSession: config", "INVALID_CONFIG");
  if (config.preloadSkills !== undefined) skillRefs(config.preloadSkills, "createSession: config.preloadSkills", "INVALID_CONFIG");
}
