/**
 * Building `.mobpack` files in tests: a small ustar writer, Node's gzip,
 * the documented digest, and Ed25519 signing with node:crypto. (The CLI
 * has its own writer; this one can also write what a hostile pack would.)
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export type Files = Record<string, string | Uint8Array>;

export interface TarEntry {
  path: string;
  data?: string | Uint8Array;
  /** ustar type flag: "0" file (default), "5" directory, "2" symlink, ... */
  type?: string;
  link?: string;
}

const bytesOf = (data: string | Uint8Array = ""): Uint8Array =>
  typeof data === "string" ? new TextEncoder().encode(data) : data;

function field(header: Uint8Array, at: number, text: string): void {
  header.set(new TextEncoder().encode(text), at);
}

function header({ path, type = "0", link = "" }: TarEntry, size: number): Uint8Array {
  const h = new Uint8Array(512);
  field(h, 0, path);
  field(h, 100, "0000644\0");
  field(h, 108, "0000000\0");
  field(h, 116, "0000000\0");
  field(h, 124, `${size.toString(8).padStart(11, "0")}\0`);
  field(h, 136, "00000000000\0");
  field(h, 156, type);
  field(h, 157, link);
  field(h, 257, "ustar\u000000");
  field(h, 148, "        ");
  const sum = h.reduce((a, b) => a + b, 0);
  field(h, 148, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}

/** A ustar archive of `entries`, with its two end blocks. */
export function tar(entries: TarEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    const data = bytesOf(entry.data);
    parts.push(header(entry, data.length), data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  parts.push(new Uint8Array(1024));
  return Uint8Array.from(Buffer.concat(parts));
}

export const gzip = (bytes: Uint8Array): Uint8Array => Uint8Array.from(gzipSync(bytes));

/** SHA-256 over `<path>\t<hex sha256>\n` per file but signature.toml, sorted by path bytes. */
export function digestOf(files: Files): string {
  const lines = Object.entries(files)
    .filter(([path]) => path !== "signature.toml")
    .map(([path, data]) => `${path}\t${createHash("sha256").update(bytesOf(data)).digest("hex")}\n`)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return createHash("sha256").update(lines.join("")).digest("hex");
}

export interface Signer {
  id: string;
  /** The raw Ed25519 public key, 64 hex characters. */
  publicKey: string;
  privateKey: KeyObject;
}

export function signer(id: string): Signer {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  // The raw key is the last 32 bytes of the SPKI DER.
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return { id, publicKey: raw.toString("hex"), privateKey };
}

/** `signature.toml` for `files`, signed by `by` (over the 32 digest bytes). */
export function signatureToml(files: Files, by: Signer): string {
  const signature = sign(null, Buffer.from(digestOf(files), "hex"), by.privateKey).toString("hex");
  return `signer_id = "${by.id}"\npublic_key = "${by.publicKey}"\nsignature = "${signature}"\n`;
}

/** A `.mobpack` of `files` (with their directories), signed when `by` is given. */
export function pack(files: Files, by?: Signer): Uint8Array {
  const all: Files = by ? { ...files, "signature.toml": signatureToml(files, by) } : files;
  const dirs = [...new Set(Object.keys(all).filter((p) => p.includes("/")).map((p) => `${p.split("/")[0]}/`))];
  return gzip(tar([...dirs.map((path) => ({ path, type: "5" })), ...Object.entries(all).map(([path, data]) => ({ path, data }))]));
}

const EXAMPLE = fileURLToPath(new URL("../../examples/packs/research-team", import.meta.url));

/** The files of `examples/packs/research-team`, by path. */
export function exampleFiles(): Files {
  const files: Files = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(EXAMPLE, path).split("\\").join("/")] = readFileSync(path, "utf8");
    }
  };
  walk(EXAMPLE);
  return files;
}

/** The example pack with its defaults pointing at `proxyUrl` (the test's simulated provider). */
export function exampleAt(proxyUrl: string): Files {
  const files = exampleFiles();
  files["config/defaults.toml"] = String(files["config/defaults.toml"]).replace("http://localhost:3100", proxyUrl);
  return files;
}
