/**
 * The README against what the package ships: every value the two entry
 * points export is named in it, and the bins, scripts and bench parts its
 * commands use exist. (A name dropped from the package, or one added and
 * never documented, fails here.)
 */
import { existsSync, readFileSync } from "node:fs";
import { expect, test } from "vitest";
import * as main from "@rkat/web";
import * as worker from "@rkat/web/worker";
import { resetSim, simRuntime } from "./support/runtime.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const root = new URL("../", import.meta.url);
const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { bin: Record<string, string>; scripts: Record<string, string> };

test("every value @rkat/web and @rkat/web/worker export is named in the README", () => {
  const missing = [...Object.keys(main), ...Object.keys(worker)].filter((name) => !readme.includes(`\`${name}`));
  expect(missing).toEqual([]);
});

test("the bins and npm scripts the README runs exist", () => {
  for (const [, bin] of readme.matchAll(/npx (rkat[\w-]*)/g)) expect(pkg.bin, bin).toHaveProperty(bin!);
  for (const [, script] of readme.matchAll(/npm run (\w[\w:]*)/g)) expect(pkg.scripts, script).toHaveProperty(script!);
  for (const [, script] of readme.matchAll(/\.\/(scripts\/[\w.-]+|fuzz\/run\.sh)/g)) expect(existsSync(new URL(script!, root)), script).toBe(true);
});

test("the bench parts the README lists are bench/run.mjs's", () => {
  const listed = /parts: ([\w ]+)/.exec(readme)![1]!.trim().split(" ");
  const run = readFileSync(new URL("bench/run.mjs", root), "utf8");
  const parts = JSON.parse(/const PARTS = (\[[^\]]*\])/.exec(run)![1]!) as string[];
  expect(listed).toEqual(parts);
});

test("the API summary's smaller members exist as it says", async () => {
  await resetSim();
  const runtime = await simRuntime();
  expect(main.MeerkatRuntime.version).toBe(main.VERSION);
  expect(main.HOOK_POINTS).toHaveLength(8);
  const deferred = runtime.createDeferredSession();
  expect(deferred.isStarted).toBe(false);
  deferred.destroy();
  const sub = await runtime.createSession().subscribeEvents();
  expect(sub).toBeInstanceOf(main.EventSubscription);
  sub.close();
  expect(sub.isClosed).toBe(true);
  expect(runtime.destroyed).toBe(false);
  runtime.destroy();
  expect(runtime.destroyed).toBe(true);
});

test("the API summary's config rows name every field the core accepts", () => {
  const fields = (file: string, list: string) => {
    const rust = readFileSync(new URL(`meerkat-web-runtime/src/config/${file}`, root), "utf8");
    const body = new RegExp(`const ${list}: &\\[&str\\] = &\\[([^\\]]*)\\]`).exec(rust)![1]!;
    return [...body.matchAll(/"(\w+)"/g)].map((m) => m[1]!);
  };
  const row = (start: string) => readme.split("\n").find((line) => line.startsWith(start))!;
  // (A session's legacy apiKey/baseUrl are accepted only to be refused: "No keys or URLs here".)
  const runtimeRow = row("| `MeerkatRuntime.init(");
  const named = (text: string, name: string) => expect(text, name).toMatch(new RegExp(`\`${name}\\b`));
  for (const name of fields("mod.rs", "RUNTIME_FIELDS")) named(runtimeRow, name);
  const sessionRow = row("| `runtime.createSession(");
  for (const name of fields("session.rs", "SESSION_FIELDS").filter((n) => n !== "apiKey" && n !== "baseUrl")) named(sessionRow, name);
});

test("every code fence closes on a line of its own (text after a closing fence keeps the block open)", () => {
  const fences = readme.split("\n").filter((line) => line.startsWith("```"));
  expect(fences.filter((line) => !/^```(typescript|js|bash)?$/.test(line))).toEqual([]);
  expect(fences.length % 2).toBe(0);
});
