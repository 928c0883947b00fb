/**
 * What an app's first `createMob` loads, imported dynamically so that
 * bundlers make it a chunk of its own: the `Mob` class (unless the app
 * imports it from the package root) and the linker of the core's parts
 * (the pack reader links the pack part with it: opening a pack loads this
 * chunk anyway, to check the pack's mob definition).
 */
export { checkDefinition } from "./checks.js";
export { Mob } from "./mob.js";
export { linkMobPart, linkTo } from "./part.js";
