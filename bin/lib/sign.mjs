// Ed25519 keys and signatures with node:crypto: keys are PKCS#8 PEM files,
// public keys travel as the raw 32 bytes in hex, the signature covers the
// 32 raw digest bytes.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { CliError } from './errors.mjs';

/** The raw public key, hex, of a KeyObject (private or public). */
export function publicKeyHex(key) {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return Buffer.from(jwk.x, 'base64url').toString('hex');
}

/** A new key pair: the private key as PKCS#8 PEM, the public key as hex. */
export function generateKey() {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { pem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicKeyHex: publicKeyHex(privateKey) };
}

/** Read a PEM as an Ed25519 private key, or say why not. */
export function loadPrivateKey(pem, where) {
  let key;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new CliError(`${where} is not a PEM private key (${error instanceof Error ? error.message : error})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new CliError(`${where} is a ${key.asymmetricKeyType} key; packs are signed with Ed25519 (rkat-web-pack keygen)`);
  }
  return key;
}

/** Sign the digest (hex) with the key: the signature in hex. */
export function signDigest(key, digestHex) {
  return sign(null, Buffer.from(digestHex, 'hex'), key).toString('hex');
}

/** Signer ids: short, printable, no quotes or `=` (which separates them in --trusted-signer). */
export function checkSignerId(id) {
  if (!/^[A-Za-z0-9][A-Za-z0-9._@:+\/-]{0,127}$/.test(id)) {
    throw new CliError(
      `signer id ${JSON.stringify(id)}: use 1 to 128 letters, digits and . _ @ : + / - (starting with a letter or digit)`,
      2,
    );
  }
  return id;
}

/** The signature.toml text. */
export function signatureToml(signerId, publicKey, signature) {
  return `signer_id = "${signerId}"\npublic_key = "${publicKey}"\nsignature = "${signature}"\n`;
}
