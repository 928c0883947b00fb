/**
 * The core's pack part (pkg/meerkat_web_runtime_pack.wasm, cut from the core
 * by scripts/wasm-split.mjs): the mobpack reader. `inspectMobpack` needs no
 * runtime: in this file's fresh module graph its first call instantiates
 * the core itself and links the part into that instance; the raw exports
 * then free what they allocate; a part of another build does not link.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, test, vi } from "vitest";
import * as wasm from "@rkat/web/wasm/meerkat_web_runtime.js";
import { MeerkatRuntime } from "@rkat/web";
import { linkTo } from "../src/mob/part.js";
import { PACK_PART } from "../src/mobpack/reader.js";
import { exampleFiles, pack } from "./support/pack.js";
import { coreExports, expectOwnBuildOnly } from "./support/parts.js";

describe("the pack part", () => {
  // First: nothing in this file has loaded the core before.
  test("inspectMobpack reads a pack with no runtime and no init: the core is instantiated and the part linked into it", async () => {
    const inspected = await MeerkatRuntime.inspectMobpack(wasm, pack(exampleFiles()));
    expect(inspected.manifest.name).toBe("research-team");
    // The instance it made is the glue's own, the part linked into it: linking again instantiates nothing.
    const instantiate = vi.spyOn(WebAssembly, "instantiate");
    try {
      const part = await linkTo(coreExports(), PACK_PART);
      expect([typeof part?.e0, typeof part?.e1]).toEqual(["function", "function"]);
      expect(instantiate).not.toHaveBeenCalled();
    } finally {
      instantiate.mockRestore();
    }
    const runtime = await MeerkatRuntime.init(wasm, {});
    runtime.destroy();
  });

  test("reads and refuses over and over without keeping memory", async () => {
    const memory = coreExports().memory as WebAssembly.Memory;
    const bytes = pack(exampleFiles());
    const garbage = new Uint8Array(4096).fill(7);
    for (let i = 0; i < 3; i++) await MeerkatRuntime.inspectMobpack(wasm, bytes);
    const size = memory.buffer.byteLength;
    for (let i = 0; i < 200; i++) {
      await MeerkatRuntime.inspectMobpack(wasm, bytes);
      await expect(MeerkatRuntime.inspectMobpack(wasm, garbage)).rejects.toMatchObject({ code: "INVALID_MOBPACK" });
    }
    expect(memory.buffer.byteLength).toBe(size);
  });

  test("a file too big to be a pack is refused before it is copied into the core's memory", async () => {
    const memory = coreExports().memory as WebAssembly.Memory;
    const size = memory.buffer.byteLength;
    const huge = new Uint8Array(33 * 1024 * 1024 + 1).fill(7);
    await expect(MeerkatRuntime.inspectMobpack(wasm, huge)).rejects.toMatchObject({
      code: "INVALID_MOBPACK",
      message: expect.stringContaining(`the .mobpack file is ${huge.length} bytes; a pack unpacks to at most 32 MiB`),
    });
    expect(memory.buffer.byteLength).toBe(size);
    // The largest file read is still read (and refused for what it holds, not its size).
    await expect(MeerkatRuntime.inspectMobpack(wasm, huge.subarray(1))).rejects.toMatchObject({ code: "INVALID_MOBPACK", message: expect.not.stringContaining("at most 32 MiB") });
  });

  test("a pack refused for a skill over the registry's limit costs the shared memory no more than its file and its archive", async () => {
    const memory = coreExports().memory as WebAssembly.Memory;
    // 8 MiB of control characters: 48 MiB as the reply's JSON (\u0001...), were it made.
    const skill = randomBytes(8 * 1024 * 1024 - 4096).map((b) => 1 + (b % 8));
    const bytes = pack({ ...exampleFiles(), "skills/big.md": skill });
    const size = memory.buffer.byteLength;
    await expect(MeerkatRuntime.inspectMobpack(wasm, bytes)).rejects.toMatchObject({
      code: "INVALID_MOBPACK",
      message: 'invalid mobpack: entry "skills/big.md" is larger than 256 KiB, the most a skill may be',
    });
    // The file copied in, the archive inflated into one buffer of its size (not grown by doubling).
    expect(memory.buffer.byteLength - size).toBeLessThanOrEqual(bytes.length + skill.length + 1024 * 1024);
  });

  test("links only to the core of its own build; a core built whole needs none", async () => {
    await expectOwnBuildOnly(PACK_PART);
    // `wasm-pack build` alone gives the core whole, without part_build: nothing to link.
    await expect(linkTo({ memory: coreExports().memory as WebAssembly.Memory }, PACK_PART)).resolves.toBeUndefined();
  });
});
