/** The built demo (demo/dist) carries no credential: the proxy holds the key. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, test } from "@playwright/test";

const DIST = join(process.cwd(), "demo", "dist");

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test("the demo bundle contains no API-key-looking string", () => {
  const files = filesUnder(DIST);
  expect(files.some((file) => file.endsWith(".wasm"))).toBe(true);
  expect(files.some((file) => file.endsWith(".html"))).toBe(true);
  const offenders = files.filter((file) => {
    const text = readFileSync(file).toString("latin1");
    // A key's shape; the docs' placeholder "sk-ant-..." (seed-auth.html runs that sample verbatim) is not one.
    return /sk-ant-[A-Za-z0-9_-]{6,}/i.test(text);
  });
  expect(offenders.map((file) => relative(DIST, file))).toEqual([]);
});
