/**
 * The types the new API is described with can be imported from the public
 * entry points. Checked by compiling a small consumer file (in a temporary
 * directory, with the project's compiler options) so that a missing export
 * fails this test only, not the whole-project type check.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Compile `source` as a consumer of the package; the diagnostics tsc prints. */
function compile(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), "rkat-public-types-"));
  try {
    writeFileSync(join(dir, "consumer.ts"), source);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: join(root, "tsconfig.json"),
        compilerOptions: { noEmit: true, typeRoots: [join(root, "node_modules/@types")] },
        files: [join(dir, "consumer.ts")],
        include: [],
      }),
    );
    try {
      execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(dir, "tsconfig.json")], {
        cwd: root,
        encoding: "utf8",
        stdio: "pipe",
      });
      return "";
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? error);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Names tsc says a module does not export. */
const missingExports = (output: string): string[] =>
  [...output.matchAll(/has no exported member (?:named )?'([^']+)'/g)].map((m) => m[1]!).sort();

test("the types named by the API can be imported", () => {
  const output = compile(`
import type { Capability, DeferredSession, EventSubscription, MeerkatRuntime, Session, SessionInfo, SkillKey } from "@rkat/web";
import type { InspectedMobpack, MobpackBytes, MobpackDefaults, MobpackInfo, MobpackManifest, MobpackRuntimeConfig, MobpackSkill, MobpackTrust } from "@rkat/web";
import type { ConnectOptions, WorkerDeferredSession, WorkerRuntime } from "@rkat/web/worker";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assert<T extends true>(): T | void {}

assert<Equals<ReturnType<Session["subscribeEvents"]>, Promise<EventSubscription>>>();
assert<Equals<ReturnType<MeerkatRuntime["listSessions"]>, SessionInfo[]>>();
assert<Equals<MeerkatRuntime["capabilities"], Capability[]>>();
assert<Equals<ReturnType<MeerkatRuntime["createDeferredSession"]>, DeferredSession>>();
assert<Equals<ReturnType<WorkerRuntime["createDeferredSession"]>, Promise<WorkerDeferredSession>>>();
assert<Equals<MeerkatRuntime["mobpack"], MobpackInfo | null>>();
assert<Equals<Awaited<ReturnType<typeof MeerkatRuntime.initFromMobpack>>["mobpack"], MobpackInfo>>();
assert<Equals<WorkerRuntime["mobpack"], MobpackInfo | null>>();
assert<Equals<Awaited<ReturnType<typeof MeerkatRuntime.inspectMobpack>>, InspectedMobpack>>();
assert<Equals<Parameters<typeof MeerkatRuntime.initFromMobpack>[1], MobpackBytes>>();
assert<Equals<Parameters<typeof MeerkatRuntime.initFromMobpack>[2], MobpackRuntimeConfig>>();
assert<Equals<MobpackRuntimeConfig["mobpackTrust"], MobpackTrust | undefined>>();
assert<Equals<ConnectOptions["mobpack"], MobpackBytes | undefined>>();
assert<Equals<MobpackInfo["skills"], readonly MobpackSkill[]>>();
assert<Equals<MobpackInfo["manifest"], MobpackManifest>>();
assert<Equals<InspectedMobpack["defaults"], MobpackDefaults | null>>();
const key: SkillKey = { sourceUuid: "u", skillName: "n" };
export { key };
`);
  expect(missingExports(output)).toEqual([]);
  expect(output).toBe("");
}, 120_000);
