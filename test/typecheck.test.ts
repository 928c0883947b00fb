/**
 * The whole project type-checks under `strict` (tests, demo, e2e, the seed
 * samples' typings included): a compile error is a failed test.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

test("tsc --noEmit passes", () => {
  const root = fileURLToPath(new URL("..", import.meta.url));
  let output = "";
  try {
    execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json", "--noEmit"], {
      cwd: root,
      encoding: "utf8",
      stdio: "pipe",
    });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  expect(output).toBe("");
}, 120_000);
