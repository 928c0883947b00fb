// Writing results: whole files only (a temporary beside the target, then a
// rename), so a failed command never leaves half a pack or key behind.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError } from './errors.mjs';

/**
 * Write `bytes` to `path` in one step; parent directories are created. A
 * path the file system refuses (a directory, a parent that is a file, no
 * permission) is the caller's to fix: a CliError naming it, not a bug.
 */
export function writeWhole(path, bytes, mode = 0o644) {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temporary, bytes, { mode });
    renameSync(temporary, path);
  } catch (error) {
    removeQuietly(temporary);
    if (typeof error?.code !== 'string') throw error;
    const hint = error.code === 'EISDIR' ? ` (${path} is a directory; give a file path)` : '';
    throw new CliError(`cannot write ${path}: ${error.message}${hint}`);
  }
}

/** Remove `path` if it is there (its parent may not be a directory at all). */
function removeQuietly(path) {
  try {
    rmSync(path, { force: true });
  } catch {
    // Nothing was written there.
  }
}

/** `1234` → `"1.2 KB"`. */
export function size(bytes) {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
