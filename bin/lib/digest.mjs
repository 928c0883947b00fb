// The pack digest: SHA-256 of one line `<path>\t<sha256 hex of the file>\n`
// per file except signature.toml, sorted by the paths' UTF-8 bytes.
import { createHash } from 'node:crypto';

export const SIGNATURE_PATH = 'signature.toml';

/** @param {Uint8Array | string} data */
export function sha256Hex(data) {
  return createHash('sha256').update(data).digest('hex');
}

/** Paths in byte order (not UTF-16 code-unit order, which differs above U+FFFF). */
export function byPathBytes(a, b) {
  return Buffer.compare(Buffer.from(a.path, 'utf8'), Buffer.from(b.path, 'utf8'));
}

/**
 * The text the digest is taken of.
 * @param {Array<{ path: string, bytes: Uint8Array }>} files
 */
export function digestText(files) {
  return files
    .filter((f) => f.path !== SIGNATURE_PATH)
    .sort(byPathBytes)
    .map((f) => `${f.path}\t${sha256Hex(f.bytes)}\n`)
    .join('');
}

/** The pack digest, lowercase hex. */
export function packDigest(files) {
  return sha256Hex(Buffer.from(digestText(files), 'utf8'));
}
