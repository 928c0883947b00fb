/**
 * The single-file builds (scripts/build-bundle.mjs; `@rkat/web/bundle`,
 * `@rkat/web/worker-bundle`), as built by `npm run build`: each entry is
 * one file that imports nothing at start, its URLs point at pkg/, the pack
 * reader and the mobs stay lazy chunks; and they run: a turn, a Worker
 * runtime over a real MessageChannel, a pack inspected and a mob created
 * through the lazy chunks, errors keeping their class names through the
 * minifier.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import * as wasm from "@rkat/web/wasm/meerkat_web_runtime.js";
import type * as Main from "@rkat/web";
import type * as Worker from "@rkat/web/worker";
import { exampleFiles, pack } from "./support/pack.js";
import { resetSim, simConfig } from "./support/runtime.js";

const dist = fileURLToPath(new URL("../dist/", import.meta.url));
const pkgJson = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const ENTRIES = { "./bundle": "rkat-web.js", "./worker-bundle": "rkat-web-worker.js" };
const load = <T>(file: string): Promise<T> => import(/* @vite-ignore */ join(dist, file));

/** Static imports (`import … from "x"`, `import "x"`), dynamic `import("x")`, and `new URL("x", import.meta.url)` of a built file. */
function references(file: string) {
  const code = readFileSync(join(dist, file), "utf8");
  const all = (re: RegExp) => [...code.matchAll(re)].map((m) => m[1] ?? m[2] ?? "");
  return {
    // A statement starts the file or follows `;` or a newline (the messages quoting an import do not).
    static: all(/(?:^|[;\n])\s*import\s*(?:[\w*{][^;]*?\bfrom\s*)?["'`]([^"'`]+)["'`]/g),
    dynamic: all(/\bimport\(\s*["'`]([^"'`]+)["'`]\s*\)/g),
    urls: all(/new URL\(\s*["'`]([^"'`]+)["'`]\s*,\s*import\.meta\.url/g),
  };
}

describe("the single-file builds", () => {
  test("each entry is one file (nothing imported at start); the pack reader and the mobs are its lazy chunks; every URL points at an existing file", () => {
    for (const [exported, file] of Object.entries(ENTRIES)) {
      expect(pkgJson.exports[exported].default).toBe(`./dist/${file}`);
      const entry = references(file);
      expect(entry.static, `${file} imports`).toEqual([]);
      // Besides the lazy chunks, only the Node branch's node:fs/promises (never taken in a browser).
      const lazy = [...new Set(entry.dynamic)].filter((spec) => spec !== "node:fs/promises");
      // The Worker build's mob methods (what `exposeRuntime` serves mob calls with) are a chunk of their own too.
      const chunks = file === "rkat-web-worker.js" ? ["-expose-mob.js", "-lazy-mobs.js", "-pack.js"] : ["-lazy-mobs.js", "-pack.js"];
      expect(lazy.sort()).toEqual(chunks.map((chunk) => `./${file.replace(/\.js$/, chunk)}`));
      for (const chunk of [file, ...lazy, ...lazy.flatMap((l) => references(l).dynamic)]) {
        const refs = references(chunk.replace(/^\.\//, ""));
        for (const url of refs.urls) {
          expect(url, `${chunk}: new URL(${url})`).toMatch(/^\.\.\/pkg\//);
          expect(existsSync(resolve(dirname(join(dist, chunk)), url)), `${chunk}: ${url}`).toBe(true);
        }
        for (const spec of [...refs.static, ...refs.dynamic].filter((s) => !s.startsWith("node:"))) {
          expect(existsSync(resolve(dist, spec)), `${chunk} imports ${spec}`).toBe(true);
        }
      }
    }
  });

  test("the Worker build's start file has none of the Worker's mob methods: they are in its expose-mob chunk", () => {
    const start = readFileSync(join(dist, "rkat-web-worker.js"), "utf8");
    const chunk = readFileSync(join(dist, "rkat-web-worker-expose-mob.js"), "utf8");
    // What only those methods say or call: MOB_NOT_FOUND's message, the method checks, the mob subscriptions, the mob list.
    for (const marker of ["create it with runtime.createMob", "a mob member", "has no method", "listenAll", "`cancelFlow`,`stop`"]) {
      expect(start, marker).not.toContain(marker);
      expect(chunk, marker).toContain(marker);
    }
  });

  test("@rkat/web/bundle runs a turn, and its errors keep their class names", async () => {
    await resetSim();
    const { MeerkatRuntime, MeerkatError, SessionNotFoundError } = await load<typeof Main>(ENTRIES["./bundle"]);
    const runtime = await MeerkatRuntime.init(wasm, simConfig());
    const session = runtime.createSession({ systemPrompt: "pirate" });
    expect((await session.turn("Hello bundle")).text).toBe("Arr! You said: Hello bundle (1 messages in context)");
    session.destroy();
    const refused = await session.turn("again").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SessionNotFoundError);
    expect(refused).toBeInstanceOf(MeerkatError);
    expect(refused).toMatchObject({ name: "SessionNotFoundError", code: "SESSION_NOT_FOUND" });
    runtime.destroy();
  });

  test("@rkat/web/bundle inspects a pack through its lazy chunk", async () => {
    const { MeerkatRuntime } = await load<typeof Main>(ENTRIES["./bundle"]);
    const inspected = await MeerkatRuntime.inspectMobpack(wasm, pack(exampleFiles()));
    expect(inspected.manifest.name).toBe("research-team");
  });

  test("@rkat/web/worker-bundle serves a runtime over a real MessageChannel, its own glue inside", async () => {
    await resetSim();
    const { connectRuntime, exposeRuntime } = await load<typeof Worker>(ENTRIES["./worker-bundle"]);
    const channel = new MessageChannel();
    exposeRuntime(undefined, { endpoint: channel.port1 as never });
    try {
      const runtime = await connectRuntime(channel.port2 as never, simConfig());
      const session = await runtime.createSession();
      expect((await session.turn("Hello worker bundle")).text).toContain("Hello worker bundle");
      // The mob class and the core's mob part come through the lazy chunk.
      const mob = await runtime.createMob({ id: "bundled", profiles: { solo: { model: "claude-sonnet-4-6" } } });
      const [row] = await mob.spawn([{ profile: "solo", agent_identity: "solo-1" }]);
      expect(row).toMatchObject({ status: "spawned", agentIdentity: "solo-1" });
      const refused = await runtime.createSession({ model: 42 } as never).catch((error: unknown) => error);
      expect(refused).toMatchObject({ name: "MeerkatError", code: "INVALID_CONFIG" });
      await runtime.destroy();
    } finally {
      channel.port1.close();
      channel.port2.close();
    }
  });
});
