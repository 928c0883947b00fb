/**
 * The arguments of \`wireCrossMob\` / \`unwireCrossMob\`, checked: apart from
 * the other mob checks (./checks.ts), which only the first \`createMob\`
 * loads, because these two may be called before any mob exists.
 */
import { requireString } from "../validate.js";

/** The four ids of a cross-mob wiring, checked. */
export function crossMobArgs(
  what: string,
  mobA: string,
  memberA: string,
  mobB: string,
  memberB: string,
): { mobA: string; memberA: string; mobB: string; memberB: string } {
  return {
    mobA: requireString(mobA, `${what}: mobA`),
    memberA: requireString(memberA, `${what}: memberA`),
    mobB: requireString(mobB, `${what}: mobB`),
    memberB: requireString(memberB, `${what}: memberB`),
  };
}
