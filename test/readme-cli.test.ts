/**
 * The README's command-line blocks ("Mobpacks from the command line", "A
 * static site from a pack"), read from the README and run line by line in a
 * fresh directory holding the example pack source: `npx <bin>` runs the
 * package's bin with node, `<public key hex>` is what keygen printed, and
 * `some-unsigned.mobpack` is a pack built without a key. The proxy line is
 * left out (the suite's simulated provider is running) and the static
 * server listens on a free port instead of 8080.
 */
import { execFile, spawn } from "node:child_process";
import { mkdirSync, readFileSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { removeTempDirs, ROOT, tempDir, type BinResult } from "./support/cli.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const cwd = tempDir("rkat-readme-cli-");
symlinkSync(join(ROOT, "examples"), join(cwd, "examples"));
mkdirSync(join(cwd, "dist"));
afterAll(removeTempDirs);

/** The first bash block after `heading`, continuations joined. */
function block(heading: string): string[] {
  const from = readme.indexOf(heading);
  return /```bash\n([\s\S]*?)```/.exec(readme.slice(from))![1]!.replace(/\\\n\s*/g, "").split("\n");
}

/** Its command lines, comments dropped. */
function commands(heading: string): string[] {
  return block(heading).map((line) => line.replace(/(^|\s+)#.*$/, "").trim()).filter(Boolean);
}

/** Run one README command line (`npx <bin> ...` as node on the bin), in `cwd`. */
function run(line: string): Promise<BinResult> {
  const words = line.split(/\s+/);
  expect(words[0]).toBe("npx");
  const args = words.slice(2);
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, "bin", `${words[1]}.mjs`), ...args], { cwd }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

test("Mobpacks from the command line", async () => {
  const [build, mobPack, keygen, signedBuild, verify, verifyPermissive, inspect, ...rest] = commands("## Mobpacks from the command line");
  expect(rest).toEqual([]);

  // Build, twice (rkat-web-pack build, rkat mob pack): the same bytes.
  expect(await run(build!)).toMatchObject({ code: 0, stderr: "" });
  const first = readFileSync(join(cwd, "dist/research-team.mobpack"));
  expect(await run(mobPack!)).toMatchObject({ code: 0, stderr: "" });
  expect(readFileSync(join(cwd, "dist/research-team.mobpack")).equals(first)).toBe(true);
  // The unsigned pack the permissive line verifies.
  const unsigned = await run("npx rkat-web-pack build examples/packs/research-team -o some-unsigned.mobpack");
  expect(unsigned.code).toBe(0);

  // Sign: keygen writes the key with mode 0600 and prints the public key.
  const keys = await run(keygen!);
  expect(keys.code).toBe(0);
  expect(statSync(join(cwd, "signing-key.pem")).mode & 0o777).toBe(0o600);
  const publicKey = /\b([0-9a-f]{64})\b/.exec(keys.stdout)![1]!;
  expect(await run(signedBuild!)).toMatchObject({ code: 0, stderr: "" });

  // Verify: exit 0, "verified (signer my-team)"; the unsigned pack with --permissive.
  const verified = await run(verify!.replace("<public key hex>", publicKey));
  expect(verified.code).toBe(0);
  expect(verified.stdout).toContain("verified (signer my-team)");
  expect((await run(verifyPermissive!)).code).toBe(0);

  // Inspect, and with --json one JSON object.
  const inspected = await run(inspect!);
  expect(inspected.code).toBe(0);
  expect(inspected.stdout).toContain("research-team");
  const json = await run(`${inspect!} --json`);
  expect(JSON.parse(json.stdout)).toMatchObject({ manifest: { name: "research-team" }, signerId: "my-team", signatureValid: true });
});

test("A static site from a pack", async () => {
  const [webBuild, proxy, serve, ...rest] = commands("### A static site from a pack");
  expect(rest).toEqual([]);
  expect(proxy).toBe("npx rkat-web-proxy &");
  // The pack the block starts from: the example, built.
  expect((await run("npx rkat-web-pack build examples/packs/research-team -o dist/research-team.mobpack")).code).toBe(0);

  expect(await run(webBuild!)).toMatchObject({ code: 0 });
  // The "or:" line, into the same directory: one an earlier web-build wrote is replaced.
  const or = block("### A static site from a pack").find((line) => line.startsWith("# or: "))!;
  expect(await run(or.replace("# or: ", ""))).toMatchObject({ code: 0 });

  // python3 -m http.server, on a free port: the site is plain files.
  const words = serve!.split(/\s+/);
  expect(words.slice(0, 3)).toEqual(["python3", "-m", "http.server"]);
  const args = words.slice(3).map((w) => (w === "8080" ? "0" : w));
  const server = spawn("python3", ["-m", "http.server", ...args], { cwd, env: { ...process.env, PYTHONUNBUFFERED: "1" } });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      server.stdout.on("data", (data: Buffer) => {
        const found = /port (\d+)/.exec(String(data));
        if (found) resolve(found[1]!);
      });
      server.on("exit", (code) => reject(new Error(`http.server exited with ${code}`)));
    });
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<script");
    const site = (await (await fetch(`http://127.0.0.1:${port}/site.json`)).json()) as { name: string; pack: string };
    expect(site.name).toBe("research-team");
    // The files the README lists (the pack's name is site.json's `pack`).
    const listed = ["app.js", "view.js", "worker.js", "style.css", "README.md", site.pack, "dist/rkat-web-worker.js", "pkg/meerkat_web_runtime_bg.wasm"];
    for (const file of listed) expect((await fetch(`http://127.0.0.1:${port}/${file}`)).status, file).toBe(200);
  } finally {
    server.kill();
  }
});
