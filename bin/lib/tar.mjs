// A ustar writer for regular files only, with every varying field fixed
// (mtime 0, uid/gid 0, empty owner names, mode 0644) so the same files give
// the same bytes. Entries are written in the order given.

const BLOCK = 512;

/** Write `text` as ASCII into `header` at `offset` (the field is zero-filled already). */
function put(header, offset, text) {
  header.write(text, offset, 'latin1');
}

/** An octal number field of `width` bytes: digits padded with zeros, then NUL. */
function octal(value, width) {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/**
 * One 512-byte ustar header for a regular file.
 * @param {string} path at most 100 bytes of UTF-8
 * @param {number} size
 */
export function fileHeader(path, size) {
  const name = Buffer.from(path, 'utf8');
  if (name.length > 100) throw new Error(`tar: the path ${JSON.stringify(path)} is longer than 100 bytes`);
  const header = Buffer.alloc(BLOCK);
  name.copy(header, 0);
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
