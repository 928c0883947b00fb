/**
 * The seed's manual build ("Build the WASM bundle", the wasm-pack tab), run
 * as written in a copy of the workspace: the core it gives is whole (no mob
 * or pack part cut off, stable toolchain, no build-std), and the package
 * runs on it as on the shipped split core: a turn, a mob, a pack inspected
 * and opened. `npm run build` makes the shipped core; this checks the
 * documented command still builds one the package accepts.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, expect, test } from "vitest";
import { MeerkatRuntime, type WasmModule } from "@rkat/web";
import { exampleAt, pack } from "./support/pack.js";
import { proxyUrl, resetSim, simConfig } from "./support/runtime.js";

const SEED_COMMAND = `RUSTFLAGS='--cfg getrandom_backend="wasm_js"' \\
  wasm-pack build meerkat-web-runtime --target web --out-dir pkg`;

const root = fileURLToPath(new URL("..", import.meta.url));
const workspace = mkdtempSync(join(tmpdir(), "rkat-seed-build-"));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

test("the seed's wasm-pack command builds a whole core that the package runs: a turn, a mob, a pack", { timeout: 300_000 }, async () => {
  for (const path of ["Cargo.toml", "Cargo.lock", "meerkat-web-runtime"]) {
    cpSync(join(root, path), join(workspace, path), { recursive: true, filter: (src) => !src.includes(`${join("meerkat-web-runtime", "pkg")}`) });
  }
  // wasm-pack finds wasm-opt on the PATH (npm's binaryen: see toolchain.md); it must not download one.
  const env = { ...process.env, PATH: [join(root, "node_modules", ".bin"), join(process.env.HOME ?? "", ".cargo", "bin"), process.env.PATH].join(":") };
  execFileSync("bash", ["-c", SEED_COMMAND], { cwd: workspace, env, stdio: "pipe" });

  const glue = (await import(/* @vite-ignore */ pathToFileURL(join(workspace, "meerkat-web-runtime", "pkg", "meerkat_web_runtime.js")).href)) as WasmModule;
  await resetSim();
  const runtime = await MeerkatRuntime.init(glue, simConfig());
  try {
    const result = await runtime.createSession({ model: "claude-sonnet-4-6" }).turn("Hello");
    expect(result.text).toContain("You said: Hello");

    const mob = await runtime.createMob({
      id: "research-team",
      orchestrator: { profile: "lead" },
      profiles: { lead: { model: "claude-sonnet-4-6" }, worker: { model: "claude-sonnet-4-6" } },
    });
    const spawned = await mob.spawn([{ profile: "lead", agent_identity: "lead-1" }]);
    expect(spawned).toMatchObject([{ status: "spawned", agentIdentity: "lead-1" }]);
    expect((await mob.member("lead-1").send("Hello team")).runId).toEqual(expect.any(Number));

    const bytes = pack(exampleAt(proxyUrl()));
    const inspected = await MeerkatRuntime.inspectMobpack(glue, bytes);
    expect(inspected).toMatchObject({ signerId: null, signatureValid: false });
    const fromPack = await MeerkatRuntime.initFromMobpack(glue, bytes, { ...simConfig(), mobpackTrust: { policy: "permissive" } });
    try {
      expect(fromPack.mobpack?.digest).toBe(inspected.digest);
      const packMob = await fromPack.createMob(fromPack.mobpack!.definition);
      expect(packMob.mobId).toBe(fromPack.mobpack!.definition.id);
    } finally {
      fromPack.destroy();
    }
  } finally {
    runtime.destroy();
  }
});
