/**
 * The core's mob part (pkg/meerkat_web_runtime_mobs.wasm, cut from the core
 * by scripts/wasm-split.mjs): a runtime links it before its first mob and
 * not before; a part that cannot link is a clear `WASM_INIT_FAILED` that
 * leaves the runtime usable; a part of another build does not link.
 */
import { describe, expect, test } from "vitest";
import { linkTo, MOB_PART } from "../src/mob/part.js";
import { researchTeam } from "./support/mob.js";
import { coreExports, expectOwnBuildOnly } from "./support/parts.js";
import { simRuntime } from "./support/runtime.js";

const slots = (): unknown[] => {
  const table = coreExports().mob_part as WebAssembly.Table;
  return Array.from({ length: table.length }, (_, i) => table.get(i));
};

describe("the mob part", () => {
  // One test: the core instance is shared by every runtime of this file.
  test("is linked by the first createMob, not by sessions or mob queries before it", async () => {
    const runtime = await simRuntime();
    const session = runtime.createSession({ model: "claude-sonnet-4-6" });
    await session.turn("Hello");
    expect(await runtime.listMobs()).toEqual([]);
    await expect(runtime.wireCrossMob("a", "x", "b", "y")).rejects.toMatchObject({ code: "MOB_NOT_FOUND" });
    expect(slots().length).toBeGreaterThan(0);
    expect(slots().every((slot) => slot === null)).toBe(true);

    const mob = await runtime.createMob(researchTeam());
    expect(slots().every((slot) => typeof slot === "function")).toBe(true);
    const [row] = await mob.spawn([{ profile: "lead", agent_identity: "lead-1" }]);
    expect(row).toMatchObject({ status: "spawned" });
    // A second runtime on the same instance finds it linked.
    const second = await simRuntime();
    await second.createMob(researchTeam());
    expect(await second.listMobs()).toHaveLength(1);
    runtime.destroy();
    second.destroy();
  });

  test("that cannot link is WASM_INIT_FAILED, saying what to serve; a core built whole needs none", async () => {
    // Exports of some other module: the part's imports are not there.
    const other = { mob_part: new WebAssembly.Table({ element: "anyfunc", initial: 7 }), memory: new WebAssembly.Memory({ initial: 1 }) };
    const error = await linkTo(other).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "WASM_INIT_FAILED" });
    expect(String((error as Error).message)).toContain("meerkat_web_runtime_mobs.wasm");
    await expect(linkTo({ mob_part: new WebAssembly.Memory({ initial: 1 }) })).rejects.toMatchObject({ code: "WASM_INIT_FAILED" });
    // `wasm-pack build` alone gives the core whole, without the table: nothing to link.
    await expect(linkTo({ memory: new WebAssembly.Memory({ initial: 1 }) })).resolves.toBeUndefined();
  });

  test("links only to the core of its own build", async () => {
    await expectOwnBuildOnly(MOB_PART);
  });
});
