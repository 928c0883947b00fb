/**
 * The pack CLI's edges: output paths it cannot write to are refused as the
 * user's mistake (exit 1, a message naming the path), not reported as a bug;
 * an install that cannot load the pack reader is not blamed on the pack.
 */
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, removeTempDirs, runBin, tempDir, writePackSource } from "./support/cli.js";
import { exampleFiles, pack } from "./support/pack.js";

afterAll(() => {
  removeTempDirs();
});

describe("build -o", () => {
  it("refuses an output that is an existing directory, leaving it as it was", async () => {
    const out = tempDir();
    const run = await runBin("rkat-web-pack", ["build", writePackSource(), "-o", out]);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain("a bug");
    expect(run.stderr).toContain(out);
    expect(readdirSync(out)).toEqual([]);
  });

  it("refuses an output whose parent is a file", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a.mobpack"), "x");
    const run = await runBin("rkat-web-pack", ["build", writePackSource(), "-o", join(dir, "a.mobpack", "b.mobpack")]);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain("a bug");
    expect(run.stderr).toContain("a.mobpack");
  });

  it("keygen refuses an output that is a directory", async () => {
    const out = tempDir();
    mkdirSync(join(out, "key.pem"));
    const run = await runBin("rkat-web-pack", ["keygen", "-o", join(out, "key.pem")]);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain("a bug");
  });
});

describe("an install that cannot read packs", () => {
  it("says so, and does not call the pack invalid", async () => {
    // The package as installed, without the core's pack part.
    const root = tempDir();
    for (const dir of ["bin", "dist", "pkg"]) cpSync(join(ROOT, dir), join(root, dir), { recursive: true });
    cpSync(join(ROOT, "package.json"), join(root, "package.json"));
    rmSync(join(root, "pkg", "meerkat_web_runtime_pack.wasm"));
    const file = join(root, "team.mobpack");
    writeFileSync(file, pack(exampleFiles()));
    for (const args of [["inspect", file], ["verify", "--permissive", file]]) {
      const run = await runBin("rkat-web-pack", args, root);
      expect(run.code).toBe(1);
      expect(run.stderr).not.toContain("not a valid pack");
      expect(run.stderr).toContain("this install of @rkat/web cannot read packs: WASM_INIT_FAILED");
      expect(run.stderr).toContain("meerkat_web_runtime_pack.wasm");
    }
  });
});
