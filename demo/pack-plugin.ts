/**
 * The demo's example pack: `examples/packs/research-team` built with the
 * CLI's own pack builder when Vite starts, signed with a key made for this
 * build (never written to the output), served at `packs/research-team.mobpack`
 * (dev server) or emitted beside the page (build). The page trusts that key
 * through `__DEMO_PACK__`, compiled into its code the way an app pins the
 * signers it trusts.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Plugin } from "vite";

export const DEMO_PACK_FILE = "packs/research-team.mobpack";
const SIGNER_ID = "rkat-demo";

interface BuiltPack {
  bytes: Uint8Array;
  digest: string;
  signerId: string | null;
  publicKey: string | null;
}

type BuildPack = (dir: string, sign: { keyPath: string; signerId: string }) => BuiltPack;
type GenerateKey = () => { pem: string; publicKeyHex: string };

async function buildSignedPack(root: string, dir: string): Promise<BuiltPack> {
  // The CLI's modules are plain JS without declarations: typed here. (By
  // absolute URL: Vite runs this file bundled, from another folder.)
  const cli = (file: string) => pathToFileURL(join(root, "bin/lib", file)).href;
  const { buildPack } = (await import(/* @vite-ignore */ cli("build.mjs"))) as { buildPack: BuildPack };
  const { generateKey } = (await import(/* @vite-ignore */ cli("sign.mjs"))) as { generateKey: GenerateKey };
  const scratch = mkdtempSync(join(tmpdir(), "rkat-demo-pack-"));
  try {
    const keyPath = join(scratch, "key.pem");
    writeFileSync(keyPath, generateKey().pem, { mode: 0o600 });
    return buildPack(dir, { keyPath, signerId: SIGNER_ID });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** `root`: the repository; `dir`: the pack's source directory in it. */
export function demoPack(root: string, dir: string): Plugin {
  let pack: BuiltPack | undefined;
  return {
    name: "rkat-demo-pack",
    async config() {
      pack = await buildSignedPack(root, join(root, dir));
      const trust = { file: DEMO_PACK_FILE, digest: pack.digest, signerId: pack.signerId, publicKey: pack.publicKey };
      return { define: { __DEMO_PACK__: JSON.stringify(trust) } };
    },
    configureServer(server) {
      server.middlewares.use(`/${DEMO_PACK_FILE}`, (_req, res) => {
        res.setHeader("content-type", "application/octet-stream");
        res.end(pack?.bytes);
      });
    },
    generateBundle() {
      if (pack) this.emitFile({ type: "asset", fileName: DEMO_PACK_FILE, source: pack.bytes });
    },
  };
}
