/**
 * The pack CLI's edges: output paths it cannot write to are refused as the
 * user's mistake (exit 1, a message naming the path), not reported as a bug.
 */
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeTempDirs, runBin, tempDir, writePackSource } from "./support/cli.js";

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
