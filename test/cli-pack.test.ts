/**
 * The pack CLI (`rkat-web-pack`, `rkat`) run as a user runs it: node on the
 * bins, real files. Reproducible builds, keys and signatures, verify's
 * refusals (the runtime's own decisions), refused source directories,
 * inspect, web-build's site, and a signed pack from the CLI initialised and
 * run by the runtime.
 */
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MeerkatRuntime } from "@rkat/web";
import { packSource, removeTempDirs, runBin, tempDir, writePackSource } from "./support/cli.js";
import { proxyUrl, resetSim, wasm } from "./support/runtime.js";
import { serveStatic } from "../e2e/static-server.js";
import { exampleFiles, pack } from "./support/pack.js";

const work = tempDir();
const source = writePackSource();
let key = "";
let publicKey = "";

/** Build `dir` into `work/<name>`; asserts success, returns the path and printed digest. */
async function build(name: string, dir = source, extra: string[] = []): Promise<{ file: string; digest: string; stdout: string }> {
  const file = join(work, name);
  const run = await runBin("rkat-web-pack", ["build", dir, "-o", file, ...extra]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  const digest = /digest\s+([0-9a-f]{64})/.exec(run.stdout)?.[1] ?? "";
  return { file, digest, stdout: run.stdout };
}

/** The digest as the issue defines it, computed from the source files here. */
function expectedDigest(files: Record<string, string>): string {
  const sha = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
  const paths = Object.keys(files).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return sha(paths.map((p) => `${p}\t${sha(files[p] ?? "")}\n`).join(""));
}

const signArgs = () => ["--sign", key, "--signer-id", "alice"];
const trust = (id = "alice", hex = publicKey) => ["--trusted-signer", `${id}=${hex}`];

beforeAll(async () => {
  key = join(work, "alice.pem");
  const run = await runBin("rkat-web-pack", ["keygen", "-o", key]);
  expect(run.code).toBe(0);
  publicKey = /public key: ([0-9a-f]{64})/.exec(run.stdout)?.[1] ?? "";
});

afterAll(() => {
  removeTempDirs();
});

describe("build", () => {
  it("gives the same bytes for the same directory, with the issue's digest and fixed gzip and tar headers", async () => {
    const a = await build("a.mobpack");
    const b = await build("b.mobpack");
    const bytes = readFileSync(a.file);
    expect(bytes.equals(readFileSync(b.file))).toBe(true);
    expect(a.digest).toBe(expectedDigest(packSource()));
    expect(a.stdout).toContain("cli-team 1.2.3");
    // gzip: no flags, mtime 0, OS byte fixed.
    expect([...bytes.subarray(3, 10)]).toEqual([0, 0, 0, 0, 0, 2, 0xff]);
    // tar: sorted regular files, mtime 0, uid/gid 0, mode 0644.
    const tar = gunzipSync(bytes);
    const names: string[] = [];
    for (let at = 0; tar[at] !== 0; ) {
      const header = tar.subarray(at, at + 512);
      const field = (o: number, n: number) => header.subarray(o, o + n).toString("latin1").replace(/\0.*$/s, "");
      names.push(field(0, 100));
      expect([field(100, 8), field(108, 8), field(116, 8), field(136, 12), field(156, 1)]).toEqual(["0000644", "0000000", "0000000", "00000000000", "0"]);
      at += 512 + Math.ceil(parseInt(field(124, 12), 8) / 512) * 512;
    }
    expect(names).toEqual(["config/defaults.toml", "definition.json", "manifest.toml", "skills/briefing.md"]);
  });

  it("signs with --sign/--signer-id: signature.toml last, the digest unchanged, and the build still reproducible", async () => {
    const unsigned = await build("plain.mobpack");
    const a = await build("signed-a.mobpack", source, signArgs());
    const b = await build("signed-b.mobpack", source, signArgs());
    expect(a.digest).toBe(unsigned.digest);
    expect(a.stdout).toContain(`alice (public key ${publicKey})`);
    expect(readFileSync(a.file).equals(readFileSync(b.file))).toBe(true);
    const tar = gunzipSync(readFileSync(a.file)).toString("latin1");
    expect(tar.lastIndexOf("signature.toml")).toBeGreaterThan(tar.lastIndexOf("skills/briefing.md"));
    expect(tar).toContain(`public_key = "${publicKey}"`);
  });

  it("`rkat mob pack` is the same build", async () => {
    const file = join(work, "rkat.mobpack");
    const run = await runBin("rkat", ["mob", "pack", source, "-o", file]);
    expect(run.code).toBe(0);
    expect(readFileSync(file).equals(readFileSync((await build("again.mobpack")).file))).toBe(true);
  });

  const broken: Array<[string, (dir: string) => void, string]> = [
    ["a symbolic link", (d) => symlinkSync(join(d, "manifest.toml"), join(d, "skills", "link.md")), "skills/link.md: is a symbolic link"],
    ["an unknown file", (d) => writeFileSync(join(d, "notes.txt"), "hi"), "notes.txt: unknown entry"],
    ["a signature.toml", (d) => writeFileSync(join(d, "signature.toml"), ""), "signature.toml: is written by `build --sign`"],
    ["a file over 8 MiB", (d) => writeFileSync(join(d, "skills", "big.md"), Buffer.alloc(8 * 1024 * 1024 + 1, 97)), "skills/big.md: 8388609 bytes, over the 8 MiB limit"],
    ["a definition that is not JSON", (d) => writeFileSync(join(d, "definition.json"), "{ id: nope"), "definition.json: not JSON"],
    ["no definition", (d) => rmSync(join(d, "definition.json")), "definition.json: missing"],
    ["a manifest without a version", (d) => writeFileSync(join(d, "manifest.toml"), '[mobpack]\nname = "x"\n'), "manifest.toml: [mobpack] version is missing"],
    ["a manifest that is not TOML", (d) => writeFileSync(join(d, "manifest.toml"), '[mobpack]\nname = "x\n'), "manifest.toml line 2: unterminated string"],
    ["defaults holding a key", (d) => writeFileSync(join(d, "config", "defaults.toml"), 'anthropicApiKey = "sk-ant-x"\n'), "config/defaults.toml: anthropicApiKey looks like a credential"],
    ["a key in a base URL's query", (d) => writeFileSync(join(d, "config", "defaults.toml"), 'geminiBaseUrl = "https://proxy.example/gemini?key=AIzaFAKE"\n'), "config/defaults.toml: the URL of geminiBaseUrl holds the query parameter key="],
    ["a password in a base URL", (d) => writeFileSync(join(d, "config", "defaults.toml"), 'anthropicBaseUrl = "https://me:hunter2@proxy.example/anthropic"\n'), "config/defaults.toml: the URL of anthropicBaseUrl holds a user name or password"],
    ["a skill that is not Markdown", (d) => writeFileSync(join(d, "skills", "run.sh"), "echo"), "skills/run.sh: unknown file"],
  ];
  for (const [what, breakIt, message] of broken) {
    it(`refuses a directory with ${what}, says why, and writes nothing`, async () => {
      const dir = writePackSource();
      breakIt(dir);
      const file = join(work, "refused.mobpack");
      const run = await runBin("rkat-web-pack", ["build", dir, "-o", file]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("is not a valid pack source; nothing was written");
      expect(run.stderr).toContain(message);
      expect(existsSync(file)).toBe(false);
      expect(readdirSync(work).filter((n) => n.includes(".tmp"))).toEqual([]);
      rmSync(dir, { recursive: true, force: true });
    });
  }

  it("lists every problem at once", async () => {
    const dir = writePackSource();
    writeFileSync(join(dir, "extra.json"), "{}");
    writeFileSync(join(dir, "definition.json"), "[");
    const run = await runBin("rkat-web-pack", ["build", dir, "-o", join(work, "x.mobpack")]);
    expect(run.stderr).toMatch(/extra\.json: unknown entry[\s\S]*definition\.json: not JSON/);
  });

  it("refuses what only the runtime's reader refuses (the core reads the result before it is written)", async () => {
    const dir = writePackSource({ ...packSource(), "config/defaults.toml": "temperature = 1\n" });
    const file = join(work, "core-refused.mobpack");
    const run = await runBin("rkat-web-pack", ["build", dir, "-o", file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the pack built from .* is not a valid pack: INVALID_MOBPACK: .*temperature/);
    expect(existsSync(file)).toBe(false);
  });

  it("refuses what the runtime would refuse when opening the pack: a definition createMob refuses, an empty skill", async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ "definition.json": '{"hello":1}' }, 'INVALID_MOBPACK: invalid mobpack: definition.json: mob definition has an unknown field "hello"'],
      [{ "definition.json": "{}" }, 'definition.json: mob definition needs a string field "id"'],
      [{ "skills/empty.md": "" }, 'skills/empty.md: skill "empty" has no content'],
    ];
    for (const [changed, message] of cases) {
      const dir = writePackSource({ ...packSource(), ...changed });
      const file = join(work, "opened-refused.mobpack");
      const run = await runBin("rkat-web-pack", ["build", dir, "-o", file]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/the pack built from .* is not a valid pack: /);
      expect(run.stderr).toContain(message);
      expect(existsSync(file)).toBe(false);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes a path over tar's 100-byte name field in its ustar prefix; refuses a file name that alone is over it", async () => {
    const long = "a".repeat(95);
    const dir = writePackSource({ ...packSource(), [`skills/${long}.md`]: "# Long\nA skill with a long name." });
    const { file } = await build("long.mobpack", dir);
    const inspected = await MeerkatRuntime.inspectMobpack(wasm, readFileSync(file));
    expect(inspected.skills.map((s) => s.name)).toContain(long);
    writeFileSync(join(dir, "skills", `${"b".repeat(98)}.md`), "# B\nText.");
    const refused = join(work, "too-long.mobpack");
    const run = await runBin("rkat-web-pack", ["build", dir, "-o", refused]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("is not a valid pack source; nothing was written");
    expect(run.stderr).toContain(`skills/${"b".repeat(98)}.md: the file name is 101 bytes`);
    expect(existsSync(refused)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers usage errors with exit 2 and the usage", async () => {
    const noOutput = await runBin("rkat-web-pack", ["build", source]);
    expect(noOutput.code).toBe(2);
    expect(noOutput.stderr).toContain("missing -o <file.mobpack>");
    expect(noOutput.stderr).toContain("usage: rkat-web-pack build <dir>");
    const unknown = await runBin("rkat-web-pack", ["build", source, "-o", "x", "--fast"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--fast");
    const half = await runBin("rkat-web-pack", ["build", source, "-o", join(work, "h.mobpack"), "--sign", key]);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain("--sign <key.pem> and --signer-id <id> go together");
    const command = await runBin("rkat-web-pack", ["bake"]);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('unknown command "bake"');
    const help = await runBin("rkat-web-pack", ["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/build[\s\S]*verify[\s\S]*inspect[\s\S]*keygen[\s\S]*web-build/);
  });
});

describe("keygen", () => {
  it("writes a PKCS#8 PEM with mode 0600, prints the raw public key, and never overwrites", async () => {
    expect(readFileSync(key, "utf8")).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(publicKey).toMatch(/^[0-9a-f]{64}$/);
    const again = await runBin("rkat-web-pack", ["keygen", "-o", key]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("keygen never overwrites a key");
  });

  it("refuses a key that is not Ed25519", async () => {
    const { generateKeyPairSync } = await import("node:crypto");
    const rsa = join(work, "rsa.pem");
    writeFileSync(rsa, generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }));
    const run = await runBin("rkat-web-pack", ["build", source, "-o", join(work, "ec.mobpack"), "--sign", rsa, "--signer-id", "x"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("is a ec key; packs are signed with Ed25519");
  });
});

describe("verify", () => {
  let signed = "";
  let unsigned = "";
  beforeAll(async () => {
    signed = (await build("v-signed.mobpack", source, signArgs())).file;
    unsigned = (await build("v-unsigned.mobpack")).file;
  });

  it("verifies a signed pack against its trusted signer", async () => {
    const run = await runBin("rkat-web-pack", ["verify", signed, ...trust()]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("verified (signer alice)");
    expect(run.stdout).toContain("cli-team 1.2.3");
  });

  it("refuses a trusted signer whose key differs", async () => {
    const run = await runBin("rkat-web-pack", ["verify", signed, ...trust("alice", "ab".repeat(32))]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("UNTRUSTED_MOBPACK");
    expect(run.stderr).toContain(`the pack is signed with key ${publicKey}, not the trusted ${"ab".repeat(32)}`);
  });

  it("refuses a signer nobody trusts", async () => {
    const none = await runBin("rkat-web-pack", ["verify", signed]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("UNTRUSTED_MOBPACK");
    expect(none.stderr).toContain("signer alice is not trusted: pass --trusted-signer alice=<public key hex>");
    const other = await runBin("rkat-web-pack", ["verify", signed, ...trust("bob")]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("signer alice is not trusted");
  });

  it("refuses an unsigned pack under the strict policy, accepts it with --permissive", async () => {
    const strict = await runBin("rkat-web-pack", ["verify", unsigned, ...trust()]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain("UNTRUSTED_MOBPACK");
    expect(strict.stderr).toContain("the pack is unsigned");
    const permissive = await runBin("rkat-web-pack", ["verify", unsigned, "--permissive"]);
    expect(permissive.code).toBe(0);
    expect(permissive.stdout).toContain("accepted: unsigned pack (permissive policy)");
  });

  it("refuses a pack with one flipped byte", async () => {
    const bytes = readFileSync(signed);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    const flipped = join(work, "flipped.mobpack");
    writeFileSync(flipped, bytes);
    const run = await runBin("rkat-web-pack", ["verify", flipped, ...trust()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/flipped\.mobpack(: not verified)?.* (is not a valid pack|UNTRUSTED_MOBPACK)/);
  });

  it("refuses contents changed after signing (bad signature), even with --permissive", async () => {
    const tar = gunzipSync(readFileSync(signed));
    const at = tar.indexOf('"cli-team"');
    tar[at + 1] = "k".charCodeAt(0); // "kli-team": same size, so the tar stays well formed
    const tampered = join(work, "tampered.mobpack");
    writeFileSync(tampered, gzipSync(tar));
    for (const extra of [trust(), ["--permissive"]]) {
      const run = await runBin("rkat-web-pack", ["verify", tampered, ...extra]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("UNTRUSTED_MOBPACK");
      expect(run.stderr).toContain("the signature does not match the contents");
    }
  });

  it("refuses a pack the runtime would not open for that reason, without a trust hint (--permissive or not)", async () => {
    const empty = join(work, "empty-skill.mobpack");
    writeFileSync(empty, pack({ ...exampleFiles(), "skills/empty.md": "" }));
    for (const extra of [["--permissive"], []]) {
      const run = await runBin("rkat-web-pack", ["verify", empty, ...extra]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('INVALID_MOBPACK: invalid mobpack: its skills cannot be used: skills/empty.md: skill "empty" has no content');
      expect(run.stderr).not.toContain("unsigned");
    }
  });

  it("refuses what is not a pack, and a missing file", async () => {
    const junk = join(work, "junk.mobpack");
    writeFileSync(junk, "not gzip at all");
    const run = await runBin("rkat-web-pack", ["verify", junk]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("junk.mobpack is not a valid pack: INVALID_MOBPACK");
    const missing = await runBin("rkat-web-pack", ["verify", join(work, "nope.mobpack")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("nope.mobpack: no such file");
    const badFlag = await runBin("rkat-web-pack", ["verify", junk, "--trusted-signer", "alice"]);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("--trusted-signer wants <signer id>=<64 hex chars");
  });
});

describe("inspect", () => {
  it("prints the manifest, files, skills, digest and signer; --json gives the same as JSON", async () => {
    const { file, digest } = await build("i.mobpack", source, signArgs());
    const text = await runBin("rkat-web-pack", ["inspect", file]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("cli-team 1.2.3 — A pack the CLI tests build");
    expect(text.stdout).toContain(`digest         ${digest}`);
    expect(text.stdout).toContain(`signer         alice (signature valid; key ${publicKey})`);
    expect(text.stdout).toMatch(/skills\s+briefing/);
    expect(text.stdout).toMatch(/orchestrator\s+lead/);
    expect(text.stdout).toMatch(/signature\.toml\s+\d+ B/);
    const json = await runBin("rkat-web-pack", ["inspect", file, "--json"]);
    const parsed = JSON.parse(json.stdout);
    expect(parsed).toMatchObject({
      manifest: { name: "cli-team", version: "1.2.3", description: "A pack the CLI tests build" },
      digest,
      signerId: "alice",
      publicKey,
      signatureValid: true,
      skills: [{ name: "briefing" }],
      profiles: ["lead", "worker"],
      orchestrator: "lead",
    });
    expect(parsed.files.map((f: { path: string }) => f.path)).toEqual([
      "config/defaults.toml",
      "definition.json",
      "manifest.toml",
      "skills/briefing.md",
      "signature.toml",
    ]);
  });

  it("shows an unsigned pack as unsigned", async () => {
    const { file } = await build("iu.mobpack");
    const run = await runBin("rkat-web-pack", ["inspect", file, "--json"]);
    expect(JSON.parse(run.stdout)).toMatchObject({ signerId: null, signatureValid: false, publicKey: null });
  });
});

describe("rkat", () => {
  it("says that other commands are not part of @rkat/web, with --help too", async () => {
    for (const args of [["run", "hello"], ["mob", "list"], ["mob", "web", "serve"], [], ["run", "--help"], ["mob", "list", "-h"]]) {
      const run = await runBin("rkat", args);
      expect(run.code).toBe(2);
      const words = args.filter((a) => !a.startsWith("-"));
      if (args.length > 0) expect(run.stderr).toContain(`\`rkat ${words.join(" ")}\` is not part of @rkat/web`);
      expect(run.stderr + run.stdout).toContain("rkat mob web build <file.mobpack> -o <dir>");
    }
  });

  it("shows its usage for --help (of itself and of its two commands) and its version for --version", async () => {
    for (const args of [["--help"], ["mob", "--help"], ["mob", "web", "-h"]]) {
      const run = await runBin("rkat", args);
      expect([run.code, run.stderr]).toEqual([0, ""]);
      expect(run.stdout).toContain("rkat mob web build <file.mobpack> -o <dir>");
    }
    const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    for (const bin of ["rkat", "rkat-web-pack"] as const) {
      const run = await runBin(bin, ["--version"]);
      expect([run.code, run.stderr]).toEqual([0, ""]);
      expect(run.stdout).toMatch(new RegExp(`^${bin} ${version.replaceAll(".", "\\.")}\\b`));
    }
  });
});

describe("web-build", () => {
  /** Every file under `dir`, relative. */
  const files = (dir: string): string[] =>
    readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((p) => lstatSync(join(dir, p)).isFile())
      .sort();

  it("writes the page, the Worker, the runtime's modules, the wasm and the pack; the pack's own signer is pinned", async () => {
    const { file, digest } = await build("site.mobpack", source, signArgs());
    const out = join(work, "site");
    const run = await runBin("rkat", ["mob", "web", "build", file, "-o", out]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("warning: trusting the pack's own signer alice");
    const written = files(out);
    for (const f of ["index.html", "app.js", "view.js", "worker.js", "style.css", "README.md", "site.json", "site.mobpack"]) {
      expect(written).toContain(f);
    }
    // The runtime as the single-file Worker build (the glue inside) with its lazy chunks, and the three wasm files.
    expect(written.filter((f) => f.startsWith("dist/"))).toEqual(
      ["dist/rkat-web-worker-expose-mob.js", "dist/rkat-web-worker-lazy-mobs.js", "dist/rkat-web-worker-pack.js", "dist/rkat-web-worker.js"],
    );
    expect(written.filter((f) => f.startsWith("pkg/"))).toEqual([
      "pkg/meerkat_web_runtime_bg.wasm",
      "pkg/meerkat_web_runtime_mobs.wasm",
      "pkg/meerkat_web_runtime_pack.wasm",
    ]);
    expect(written.filter((f) => f.endsWith(".d.ts") || f.endsWith(".map"))).toEqual([]);
    const site = JSON.parse(readFileSync(join(out, "site.json"), "utf8"));
    expect(site).toMatchObject({
      pack: "site.mobpack",
      name: "cli-team",
      version: "1.2.3",
      digest,
      signerId: "alice",
      trust: { policy: "strict", trustedSigners: { alice: publicKey } },
    });
    expect(readFileSync(join(out, "site.mobpack")).equals(readFileSync(file))).toBe(true);
    // No key anywhere in the site's own files.
    for (const f of ["index.html", "app.js", "site.json"]) expect(readFileSync(join(out, f), "utf8")).not.toMatch(/sk-ant|BEGIN PRIVATE KEY/);
  });

  it("copies modules whose imports are all relative and resolve inside the site (no bundler, no import map)", async () => {
    const { file } = await build("mods.mobpack");
    const out = join(work, "mods");
    expect((await runBin("rkat-web-pack", ["web-build", file, "-o", out])).code).toBe(0);
    const modules = files(out).filter((f) => f.endsWith(".js"));
    for (const module of modules) {
      const text = readFileSync(join(out, module), "utf8");
      // Statements start a line or follow `;` (the build is minified: `import{a as e}from"./x.js"`, import(`./y.js`)).
      const specs = text.matchAll(
        /(?:^|;)\s*(?:import|export)\s*[{*\w][^;'"`()]*?\bfrom\s*["'`]([^"'`]+)["'`]|(?:^|;)\s*import\s*["'`]([^"'`]+)["'`]|\bimport\(\s*["'`]([^"'`]+)["'`]\s*\)/gm,
      );
      for (const match of specs) {
        const spec = match[1] ?? match[2] ?? match[3];
        // node:fs/promises: the build's Node branch (reading the wasm file), never taken in a browser.
        if (spec === undefined || spec === "node:fs/promises") continue;
        expect(spec, `${module} imports ${spec}`).toMatch(/^\.\.?\//);
        const target = relative(out, resolve(join(out, module, ".."), spec));
        expect(modules, `${module} imports ${spec}`).toContain(target);
      }
    }
  });

  it("accepts an unsigned pack with a warning (permissive), and requires --trusted-signer's key when given", async () => {
    const { file } = await build("u.mobpack");
    const out = join(work, "unsigned-site");
    const run = await runBin("rkat-web-pack", ["web-build", file, "-o", out]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("warning: the pack is unsigned");
    expect(JSON.parse(readFileSync(join(out, "site.json"), "utf8")).trust).toEqual({ policy: "permissive", trustedSigners: {} });
    const strict = await runBin("rkat-web-pack", ["web-build", file, "-o", join(work, "strict-site"), ...trust()]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain("UNTRUSTED_MOBPACK");
    expect(existsSync(join(work, "strict-site"))).toBe(false);
  });

  it("fetches a pack whose file name needs escaping in a URL (team#1.mobpack) by its own name", async () => {
    const { file } = await build("team#1.mobpack");
    const out = join(work, "hash-site");
    expect((await runBin("rkat-web-pack", ["web-build", file, "-o", out])).code).toBe(0);
    const site = JSON.parse(readFileSync(join(out, "site.json"), "utf8"));
    expect(site).toMatchObject({ pack: "team#1.mobpack", packUrl: "./team%231.mobpack" });
    // What the page fetches, resolved against the page as a browser does, from a static server.
    expect(readFileSync(join(out, "app.js"), "utf8")).toContain("fetch(site.packUrl)");
    const server = await serveStatic(resolve(out));
    try {
      const response = await fetch(new URL(site.packUrl, `${server.url}/index.html`));
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(file))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it("rebuilds into its own earlier output, and refuses a directory it did not write", async () => {
    const { file } = await build("r.mobpack");
    const out = join(work, "again-site");
    expect((await runBin("rkat-web-pack", ["web-build", file, "-o", out])).code).toBe(0);
    expect((await runBin("rkat-web-pack", ["web-build", file, "-o", out])).code).toBe(0);
    const foreign = tempDir("rkat-foreign-");
    writeFileSync(join(foreign, "mine.txt"), "keep me");
    const run = await runBin("rkat-web-pack", ["web-build", file, "-o", foreign]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("is not empty and was not written by web-build");
    expect(readdirSync(foreign)).toEqual(["mine.txt"]);
    rmSync(foreign, { recursive: true, force: true });
  });

  it("refuses a pack (built elsewhere) whose default base URL holds a key: the site would publish it in site.json", async () => {
    const files = exampleFiles();
    files["config/defaults.toml"] = 'openaiBaseUrl = "https://proxy.example/openai?api_key=sk-live-x"\n';
    const file = join(work, "leaky.mobpack");
    writeFileSync(file, pack(files));
    const out = join(work, "leaky-site");
    const run = await runBin("rkat", ["mob", "web", "build", file, "-o", out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("the default openaiBaseUrl holds the query parameter api_key=");
    expect(existsSync(out)).toBe(false);
  });

  it("removes only a *.mobpack file its earlier site.json names, never the directory or its parent", async () => {
    const { file } = await build("p.mobpack");
    for (const named of ["..", "."]) {
      const parent = tempDir("rkat-parent-");
      writeFileSync(join(parent, "keep.txt"), "keep me");
      const out = join(parent, "site");
      expect((await runBin("rkat-web-pack", ["web-build", file, "-o", out])).code).toBe(0);
      const siteJson = join(out, "site.json");
      writeFileSync(siteJson, JSON.stringify({ ...JSON.parse(readFileSync(siteJson, "utf8")), pack: named }));
      const run = await runBin("rkat-web-pack", ["web-build", file, "-o", out]);
      expect(run.code).toBe(0);
      expect(readFileSync(join(parent, "keep.txt"), "utf8")).toBe("keep me");
      expect(existsSync(join(out, "p.mobpack"))).toBe(true);
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe("a CLI-built pack in the runtime", () => {
  it("initialises from a signed pack under the strict policy and runs its mob against the simulated provider", async () => {
    await resetSim();
    const { file, digest } = await build("run.mobpack", source, signArgs());
    const runtime = await MeerkatRuntime.initFromMobpack(wasm, readFileSync(file), {
      anthropicApiKey: "proxy",
      anthropicBaseUrl: `${proxyUrl()}/anthropic`,
      mobpackTrust: { policy: "strict", trustedSigners: { alice: publicKey } },
    });
    try {
      expect(runtime.mobpack).toMatchObject({ digest, signerId: "alice", manifest: { name: "cli-team" } });
      const mob = await runtime.createMob(runtime.mobpack!.definition);
      const [spawned] = await mob.spawn([{ profile: "lead", agent_identity: "lead" }]);
      expect(spawned?.status).toBe("spawned");
      const { runId } = await mob.member("lead").send("hello from the CLI pack");
      const result = await mob.member("lead").waitForRun(runId);
      expect(result.text).toContain("You said: hello from the CLI pack");
    } finally {
      await runtime.destroy();
    }
  });
});
