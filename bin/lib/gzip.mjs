// gzip with a fixed header: zlib already writes mtime 0 and no file name
// when it is given no header; the OS byte (which zlib sets from the platform
// it was built for) is fixed to 255, "unknown", so a pack built on Linux,
// macOS or Windows starts with the same ten bytes.
import { gzipSync } from 'node:zlib';

const OS_BYTE = 9;
const OS_UNKNOWN = 0xff;

/** @param {Uint8Array} bytes @returns {Buffer} */
export function gzipDeterministic(bytes) {
  const out = gzipSync(bytes, { level: 9 });
  if (out[3] !== 0 || out.readUInt32LE(4) !== 0) throw new Error('gzip: zlib wrote header flags or an mtime');
  out[OS_BYTE] = OS_UNKNOWN;
  return out;
}
