// A ustar writer for regular files only, with every varying field fixed
// (mtime 0, uid/gid 0, empty owner names, mode 0644) so the same files give
// the same bytes. Entries are written in the order given. A path over the
// 100-byte name field goes into ustar's prefix and name fields, which the
// core's reader joins (meerkat-web-runtime/src/mobpack/tar.rs).
import { CliError } from './errors.mjs';

const BLOCK = 512;

/** Write `text` as ASCII into `header` at `offset` (the field is zero-filled already). */
function put(header, offset, text) {
  header.write(text, offset, 'latin1');
}

/** An octal number field of `width` bytes: digits padded with zeros, then NUL. */
function octal(value, width) {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

const NAME_BYTES = 100;
const PREFIX_BYTES = 155;

/**
 * `path` as ustar's `{ prefix, name }` fields: as it is when it fits the
 * name field, else cut at a '/' into a prefix of at most 155 bytes and a
 * name of at most 100; `undefined` when no cut fits (a file name alone
 * over 100 bytes).
 * @param {string} path
 */
export function ustarPath(path) {
  if (Buffer.byteLength(path) <= NAME_BYTES) return { prefix: '', name: path };
  for (let cut = path.lastIndexOf('/'); cut > 0; cut = path.lastIndexOf('/', cut - 1)) {
    const name = path.slice(cut + 1);
    // Cutting further left only makes the name longer.
    if (Buffer.byteLength(name) > NAME_BYTES) return undefined;
    const prefix = path.slice(0, cut);
    if (Buffer.byteLength(prefix) <= PREFIX_BYTES) return { prefix, name };
  }
  return undefined;
}

/**
 * One 512-byte ustar header for a regular file.
 * @param {string} path a path `ustarPath` can place (the pack directory's checks refuse others)
 * @param {number} size
 */
export function fileHeader(path, size) {
  const fields = ustarPath(path);
  if (!fields) throw new CliError(`${path}: the file name is over 100 bytes, which a tar header cannot hold`);
  const header = Buffer.alloc(BLOCK);
  header.write(fields.name, 0, 'utf8');
  header.write(fields.prefix, 345, 'utf8');
  put(header, 100, octal(0o644, 8)); // mode
  put(header, 108, octal(0, 8)); // uid
  put(header, 116, octal(0, 8)); // gid
  put(header, 124, octal(size, 12));
  put(header, 136, octal(0, 12)); // mtime
  put(header, 148, ' '.repeat(8)); // checksum counted as spaces
  put(header, 156, '0'); // regular file
  put(header, 257, 'ustar\0');
  put(header, 263, '00');
  put(header, 329, octal(0, 8)); // devmajor
  put(header, 337, octal(0, 8)); // devminor
  let sum = 0;
  for (const byte of header) sum += byte;
  put(header, 148, sum.toString(8).padStart(6, '0') + '\0 ');
  return header;
}

/** Zeros that pad `size` bytes of content to a whole block. */
function padding(size) {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/**
 * The tar archive of `entries`, ended by two zero blocks.
 * @param {Array<{ path: string, bytes: Uint8Array }>} entries
 * @returns {Buffer}
 */
export function writeTar(entries) {
  const parts = [];
  for (const { path, bytes } of entries) {
    parts.push(fileHeader(path, bytes.length), Buffer.from(bytes), padding(bytes.length));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}
