/**
 * What an app's first `createMob` loads, imported dynamically so that
 * bundlers make it a chunk of its own: the `Mob` class (unless the app
 * imports it from the package root) and the linker of the core's mob part.
 */
export { checkDefinition } from "./checks.js";
export { Mob } from "./mob.js";
export { linkMobPart } from "./part.js";
