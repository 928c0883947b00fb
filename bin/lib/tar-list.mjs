// Listing the entries of a .mobpack for display (inspect's file list), only
// after the core has read and accepted the same bytes: this never decides
// what a pack may hold.
import { gunzipSync } from 'node:zlib';

const BLOCK = 512;

/** The NUL-terminated text of a header field. */
function field(header, offset, length) {
  const raw = header.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString('utf8');
}

/**
 * The regular files of a gzip'd tar, in archive order.
 * @param {Uint8Array} gz
 * @returns {Array<{ path: string, size: number, bytes: Buffer }>}
 */
export function listEntries(gz) {
  const tar = gunzipSync(gz);
  const entries = [];
  for (let at = 0; at + BLOCK <= tar.length; ) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break;
    const size = parseInt(field(header, 124, 12).trim() || '0', 8);
    const prefix = field(header, 345, 155);
    const name = field(header, 0, 100);
    const path = prefix ? `${prefix}/${name}` : name;
    const body = at + BLOCK;
    if (field(header, 156, 1) === '0' || field(header, 156, 1) === '') entries.push({ path, size, bytes: tar.subarray(body, body + size) });
    at = body + Math.ceil(size / BLOCK) * BLOCK;
  }
  return entries;
}
