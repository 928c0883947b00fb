/**
 * Linking the core's parts (src/mob/part.ts), what can go wrong on the way.
 *
 * A part of another build (a stale `meerkat_web_runtime_pack.wasm` or
 * `_mobs.wasm` left in a cache or on a CDN beside a new core) is refused
 * before it is instantiated: instantiating a part writes its data segments
 * into the core's memory, which every runtime of the page shares, at the
 * addresses of its own build. In this file's fresh module graph neither
 * part is linked before the refusals, so any byte such a link wrote would
 * show in the memory.
 */
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { MeerkatRuntime } from "@rkat/web";
import { linkTo, MOB_PART } from "../src/mob/part.js";
import { PACK_PART } from "../src/mobpack/reader.js";
import { researchTeam } from "./support/mob.js";
import { exampleFiles, pack } from "./support/pack.js";
import { coreExports } from "./support/parts.js";
import { simRuntime, wasm } from "./support/runtime.js";
import { serve } from "./support/skill-server.js";

test("a part of another build leaves the core's memory as it was; the runtimes sharing it then link their own and run", async () => {
  const runtime = await simRuntime();
  const exports = coreExports();
  const memory = exports.memory as WebAssembly.Memory;
  const build = exports.part_build as WebAssembly.Global;
  // The core as a part of another build sees it: another digest.
  const other = { ...exports, part_build: new WebAssembly.Global({ value: "i32" }, build.value ^ 1) };
  for (const part of [PACK_PART, MOB_PART]) {
    const before = new Uint8Array(memory.buffer).slice();
    const error = await linkTo(other, part).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "WASM_INIT_FAILED", message: expect.stringContaining("another build") });
    expect(Buffer.compare(new Uint8Array(memory.buffer), before)).toBe(0);
  }
  // The parts of its own build then link, and everything works.
  const session = runtime.createSession({ model: "claude-sonnet-4-6" });
  await expect(session.turn("Hello")).resolves.toBeDefined();
  expect((await MeerkatRuntime.inspectMobpack(wasm, pack(exampleFiles()))).manifest.name).toBe("research-team");
  const mob = await runtime.createMob(researchTeam());
  expect(await mob.spawn([{ profile: "lead", agent_identity: "lead-1" }])).toMatchObject([{ status: "spawned" }]);
  runtime.destroy();
});

test("a part answered with 404 or a page instead is WASM_INIT_FAILED; linked once it is served, with or without application/wasm", async () => {
  const runtime = await simRuntime();
  const server = await serve({});
  const path = `/app/pkg/${PACK_PART.file}`;
  const part = { ...PACK_PART, url: new URL(`${server.base}${path}`) };
  // Links are per core instance: a copy of its exports stands for a page that has not linked the part yet.
  const core = { ...coreExports() };
  try {
    const linked = () => linkTo(core, part);
    await expect(linked()).rejects.toMatchObject({ code: "WASM_INIT_FAILED", message: expect.stringMatching(/HTTP 404.*serve meerkat_web_runtime_pack\.wasm/) });
    // A single-page app's fallback answers every path with its page.
    server.routes[path] = { body: "<!doctype html><title>app</title>", type: "text/html" };
    await expect(linked()).rejects.toMatchObject({ code: "WASM_INIT_FAILED", message: expect.stringContaining("CompileError") });
    await expect(runtime.createSession({ model: "claude-sonnet-4-6" }).turn("still here")).resolves.toMatchObject({ text: expect.stringContaining("still here") });
    for (const type of ["application/octet-stream", "application/wasm"]) {
      server.routes[path] = { body: readFileSync(PACK_PART.url), type };
      const exports = await (type === "application/wasm" ? linkTo({ ...coreExports() }, part) : linked());
      expect([typeof exports?.e0, typeof exports?.e1]).toEqual(["function", "function"]);
    }
  } finally {
    await server.close();
    runtime.destroy();
  }
});
