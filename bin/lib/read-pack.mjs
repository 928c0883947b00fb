// A .mobpack file as the commands see it: its bytes, what the core reads in
// it, and (for display) its entries.
import { readFileSync, statSync } from 'node:fs';
import { inspectPack } from './core.mjs';
import { CliError } from './errors.mjs';
import { listEntries } from './tar-list.mjs';

/** The bytes of the pack file at `path`. */
export function readPackFile(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new CliError(`${path}: no such file`);
  }
  if (!stat.isFile()) throw new CliError(`${path}: not a file (expected a .mobpack)`);
  return readFileSync(path);
}

/**
 * Read and inspect the pack at `path` with the core.
 * @returns {Promise<{ bytes: Buffer, info: any, entries: Array<{ path: string, size: number }>, publicKey: string | null }>}
 */
export async function openPack(path) {
  const bytes = readPackFile(path);
  const info = await inspectPack(bytes, path);
  return { bytes, info, entries: listEntries(bytes), publicKey: info.publicKey };
}
