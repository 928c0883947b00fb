/**
 * Running the package's bins (`bin/*.mjs`) as a user would, with node, and
 * writing pack source directories for them.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface BinResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `bin/<name>.mjs` (of the package at `root`) with `args`; never rejects on a non-zero exit. */
export function runBin(name: "rkat-web-pack" | "rkat", args: string[], root = ROOT): Promise<BinResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, "bin", `${name}.mjs`), ...args], { cwd: root }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const made: string[] = [];

/** A fresh temporary directory (removed by `removeTempDirs`). */
export function tempDir(prefix = "rkat-cli-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Remove every directory `tempDir` made. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The files of a small valid pack: a lead (orchestrator) and a worker on the simulated Anthropic model. */
export function packSource(): Record<string, string> {
  return {
    "manifest.toml": '[mobpack]\nname = "cli-team"\nversion = "1.2.3"\ndescription = "A pack the CLI tests build"\n\n[requires]\ncapabilities = []\n',
    "definition.json": JSON.stringify({
      id: "cli-team",
      orchestrator: { profile: "lead" },
      profiles: {
        lead: { model: "claude-sonnet-4-6", peerDescription: "Leads.", skills: ["briefing"] },
        worker: { model: "claude-sonnet-4-6", peerDescription: "Works." },
      },
    }),
    "skills/briefing.md": "---\nname: briefing\ndescription: How to brief the team\n---\nKeep briefs short.\n",
    "config/defaults.toml": 'model = "claude-sonnet-4-6"\nmaxTokens = 512\n',
  };
}

/** Write `files` (path → text) under a new directory; returns it. */
export function writePackSource(files: Record<string, string | Buffer> = packSource()): string {
  const dir = tempDir("rkat-pack-src-");
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}
