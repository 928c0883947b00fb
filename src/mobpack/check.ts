/**
 * What opening a pack refuses beyond the pack reader's checks: its skills
 * as the skill registry takes them, and its definition (the pack's skills
 * bound) as `createMob` reads it. `initFromMobpack` and `inspectMobpack`
 * both run this, so inspecting refuses every pack that opening would refuse
 * as `INVALID_MOBPACK` (trust is the one thing inspect reports instead).
 *
 * It runs on a core of the caller's module made for the check and freed
 * after it, so a refused pack creates and changes nothing. The definition
 * reader is in the core's mob part (`src/mob/part.ts`), linked here if no
 * mob has linked it yet: a pack holds a mob, so the part would come with
 * its first `createMob` anyway.
 */
import { CoreHandle, loadChunk, loadWasm, type WasmModule } from "../core.js";
import { MeerkatError } from "../errors.js";
import type { MobDefinition } from "../mob/types.js";
import { isPlainObject } from "../validate.js";

/**
 * The definition with each profile's bare skill names that name a pack
 * skill (and none of the definition's own `skills`) turned into a
 * `SkillKey` of the pack's source, so `createMob` resolves them.
 */
export function bindSkills(definition: Record<string, unknown>, pack: string[], sourceUuid: string): MobDefinition {
  const own = isPlainObject(definition.skills) ? definition.skills : {};
  const profiles = isPlainObject(definition.profiles) ? definition.profiles : {};
  for (const profile of Object.values(profiles)) {
    if (!isPlainObject(profile) || !Array.isArray(profile.skills)) continue;
    profile.skills = profile.skills.map((ref: unknown) =>
      typeof ref === "string" && pack.includes(ref) && !Object.hasOwn(own, ref) ? { sourceUuid, skillName: ref } : ref,
    );
  }
  return definition as unknown as MobDefinition;
}

const invalid = (message: string) => new MeerkatError("INVALID_MOBPACK", `invalid mobpack: ${message}`);

/**
 * The core's definition error placed in `definition.json`:
 * `mob definition.orchestrator.profile names ...` → `definition.json: orchestrator.profile names ...`.
 */
function definitionError(message: string): MeerkatError {
  const field = message.startsWith("mob definition.") ? message.slice("mob definition.".length) : message;
  return invalid(`definition.json: ${field}`);
}

/** The registry's `skills[i]: ...` as the pack's entry: `skills/<name>.md: ...`. */
function skillEntry(message: string, names: string[]): string {
  return message.replace(/^skills\[(\d+)\]: /, (whole, i: string) => {
    const name = names[Number(i)];
    return name === undefined ? whole : `skills/${name}.md: `;
  });
}

/** Refuse (`INVALID_MOBPACK`) a pack whose skills or definition its runtime would refuse. */
export async function checkContents(
  wasm: WasmModule,
  skillSource: { name: string; skills: { name: string; content: string }[] },
  definition: Record<string, unknown>,
): Promise<void> {
  await loadWasm(wasm);
  const core = new CoreHandle(wasm, "{}");
  try {
    const added = core.command({ op: "add_skill_source", source: skillSource });
    const names = skillSource.skills.map((s) => s.name);
    if (added.error) throw invalid(`its skills cannot be used: ${skillEntry(added.error.message, names)}`);
    const { sourceUuid } = added.ok as { sourceUuid: string };
    // The same chunk `createMob` loads (bundlers make no second one for this).
    const { linkMobPart } = await loadChunk(() => import("../mob/lazy-mobs.js"));
    await linkMobPart(core);
    const bound = bindSkills(structuredClone(definition), names, sourceUuid);
    const checked = core.command({ op: "check_mob_definition", definition: bound });
    if (checked.error) throw definitionError(checked.error.message);
  } finally {
    core.destroy(new MeerkatError("RUNTIME_DESTROYED", "the mobpack check's core is gone"));
  }
}
