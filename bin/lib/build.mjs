// Building a pack in memory: the checked files, optionally signature.toml
// (last), as a ustar archive in a deterministic gzip.
import { readFileSync } from 'node:fs';
import { packDigest, SIGNATURE_PATH } from './digest.mjs';
import { CliError } from './errors.mjs';
import { gzipDeterministic } from './gzip.mjs';
import { readPackDir } from './pack-dir.mjs';
import { checkSignerId, loadPrivateKey, publicKeyHex, signatureToml, signDigest } from './sign.mjs';
import { writeTar } from './tar.mjs';

/** signature.toml for `digest`, signed with the PEM key at `keyPath`. */
function signatureEntry(digest, keyPath, signerId) {
  let pem;
  try {
    pem = readFileSync(keyPath, 'utf8');
  } catch {
    throw new CliError(`${keyPath}: cannot read the signing key`);
  }
  const key = loadPrivateKey(pem, keyPath);
  const publicKey = publicKeyHex(key);
  const text = signatureToml(signerId, publicKey, signDigest(key, digest));
  return { entry: { path: SIGNATURE_PATH, bytes: Buffer.from(text, 'utf8') }, publicKey };
}

/**
 * The pack of `dir`.
 * @param {string} dir
 * @param {{ keyPath?: string, signerId?: string }} [sign]
 * @returns {{ bytes: Buffer, digest: string, files: string[], signerId: string | null, publicKey: string | null }}
 */
export function buildPack(dir, sign = {}) {
  if ((sign.keyPath === undefined) !== (sign.signerId === undefined)) {
    throw new CliError('--sign <key.pem> and --signer-id <id> go together', 2);
  }
  if (sign.signerId !== undefined) checkSignerId(sign.signerId);
  const files = readPackDir(dir);
  const digest = packDigest(files);
  const entries = [...files];
  let publicKey = null;
  if (sign.keyPath !== undefined) {
    const signature = signatureEntry(digest, sign.keyPath, sign.signerId);
    entries.push(signature.entry);
    publicKey = signature.publicKey;
  }
  return {
    bytes: gzipDeterministic(writeTar(entries)),
    digest,
    files: entries.map((e) => e.path),
    signerId: sign.signerId ?? null,
    publicKey,
  };
}
