// Deterministic identifiers and pseudo-randomness for the simulators.
// Everything derives from a request "fingerprint" so that the same request
// always yields the same ids, signatures and network cut points.
import { createHash } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A base62 string of `length` characters derived from `seed` and `salt`.
 * @param {string} seed
 * @param {string} salt
 * @param {number} [length]
 * @returns {string}
 */
export function hashId(seed, salt, length = 20) {
  let out = '';
  let round = 0;
  while (out.length < length) {
    const digest = createHash('sha256').update(`${salt}\u0000${round}\u0000${seed}`).digest();
    for (const byte of digest) {
      // 62 * 4 = 248: rejecting bytes >= 248 keeps the alphabet unbiased.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
    round += 1;
  }
  return out;
}

/**
 * A 32-bit seed derived from a string.
 * @param {string} text
 * @returns {number}
 */
export function seed32(text) {
  return createHash('sha256').update(text).digest().readUInt32LE(0);
}

/**
 * mulberry32: tiny, fast, good enough to pick reproducible cut points.
 * @param {number} seed
 * @returns {() => number} uniform floats in [0, 1)
 */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Base64 text standing in for an opaque provider signature.
 * @param {string} seed
 * @param {string} salt
 * @returns {string}
 */
export function fakeSignature(seed, salt) {
  const a = createHash('sha512').update(`${salt}:a:${seed}`).digest();
  const b = createHash('sha512').update(`${salt}:b:${seed}`).digest();
  return Buffer.concat([a, b]).toString('base64');
}
