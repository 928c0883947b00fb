/**
 * The wasm boundary: version handshake, the error-code mirror, and what
 * happens when the core traps (fault injected around the real core).
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { MeerkatRuntime, VERSION, type WasmModule } from "@rkat/web";
import { CORE_ERROR_CODES, ERROR_CODES } from "../src/errors.js";
import { loadWasm } from "../src/core.js";
import { proxyUrl, simRuntime, trappingWasm, wasm } from "./support/runtime.js";

describe("versions", () => {
  test("package, crate and wasm carry one version", async () => {
    await loadWasm(wasm);
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    const cargo = readFileSync(new URL("../meerkat-web-runtime/Cargo.toml", import.meta.url), "utf8");
    expect(pkg.version).toBe(VERSION);
    expect(cargo).toContain(`version = "${VERSION}"`);
    expect(wasm.Core.version()).toBe(VERSION);
  });

  test("a wasm core of another version is refused", async () => {
    class OtherCore extends wasm.Core {
      static override version() {
        return "9.9.9";
      }
    }
    const other = { ...wasm, Core: OtherCore } as unknown as WasmModule;
    await expect(MeerkatRuntime.init(other, {})).rejects.toMatchObject({
      code: "VERSION_MISMATCH",
      message: expect.stringMatching(/9\.9\.9.*rebuild/),
    });
  });
});

test("the error codes are unique (the core's are mirrored from its table: a cargo test checks)", () => {
  expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  expect(ERROR_CODES).toEqual(expect.arrayContaining([...CORE_ERROR_CODES]));
});

test("Core.capabilities() (what init reports, with no command compiled yet) is the capabilities command's table", async () => {
  await loadWasm(wasm);
  const core = new wasm.Core(JSON.stringify({}), new Uint8Array(32));
  try {
    const reply = JSON.parse(core.command(Date.now(), JSON.stringify({ op: "capabilities" }))) as { ok: unknown };
    expect(JSON.parse(wasm.Core.capabilities())).toEqual(reply.ok);
    const runtime = await MeerkatRuntime.init(wasm, {});
    expect(runtime.capabilities).toEqual(reply.ok);
    runtime.destroy();
  } finally {
    core.free();
  }
});

describe("a trapping core", () => {
  test("marks the runtime dead, rejects what is pending, and a fresh init works", async () => {
    const runtime = await MeerkatRuntime.init(trappingWasm(), {
      anthropicApiKey: "proxy",
      anthropicBaseUrl: `${proxyUrl()}/anthropic`,
      model: "claude-sonnet-4-6",
    });
    const session = runtime.createSession();
    const pending = session.turn("wait [[sim:hang]]");
    const other = runtime.createSession();
    await expect(other.turn("trap-me")).rejects.toMatchObject({ code: "RUNTIME_TRAPPED" });
    await expect(pending).rejects.toMatchObject({ code: "RUNTIME_TRAPPED" });
    expect(() => runtime.createSession()).toThrow(expect.objectContaining({ code: "RUNTIME_TRAPPED" }));
    expect(runtime.destroyed).toBe(true);

    const fresh = await simRuntime();
    expect((await fresh.createSession().turn("after the trap")).text).toContain("after the trap");
    fresh.destroy();
  });
});
