// Reading a pack's source directory: only the files a pack may hold, each a
// regular file within the size limits, checked for what the core would
// refuse anyway (so the author hears it before anything is written). Every
// problem is reported at once.
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { byPathBytes } from './digest.mjs';
import { CliError } from './errors.mjs';
import { checkDefaults, checkDefinition, checkManifest, checkText } from './pack-checks.mjs';
import { ustarPath } from './tar.mjs';

export const MAX_FILE_BYTES = 8 * 1024 * 1024;
export const MAX_TOTAL_BYTES = 32 * 1024 * 1024;
export const MAX_ENTRIES = 1000;

const LAYOUT = 'a pack holds only manifest.toml, definition.json, skills/*.md and config/defaults.toml';
const SKILL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.md$/;

/** What kind of entry `path` is, without following a symbolic link. */
function kind(path) {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isDirectory()) return 'dir';
  if (stat.isFile()) return 'file';
  return 'special';
}

/** The pack paths in `dir` (`skills/a.md`, ...), with a problem for each entry that may not be there. */
function listPaths(dir, problems) {
  const paths = [];
  const refuse = (path, what) => problems.push(`${path}: ${what}`);
  const file = (path) => {
    const k = kind(join(dir, path));
    if (k === 'file') paths.push(path);
    else refuse(path, k === 'symlink' ? 'is a symbolic link; packs hold regular files only' : `is not a regular file; ${LAYOUT}`);
  };
  const folder = (name, accept) => {
    const k = kind(join(dir, name));
    if (k !== 'dir') return refuse(name, k === 'symlink' ? 'is a symbolic link; packs hold regular files only' : `should be a directory; ${LAYOUT}`);
    for (const child of readdirSync(join(dir, name)).sort()) {
      const why = accept(child);
      if (why) refuse(`${name}/${child}`, why);
      else file(`${name}/${child}`);
    }
  };
  for (const name of readdirSync(dir).sort()) {
    if (name === 'manifest.toml' || name === 'definition.json') file(name);
    else if (name === 'skills') folder(name, skillRefusal);
    else if (name === 'config') folder(name, (child) => (child === 'defaults.toml' ? null : `unknown file; ${LAYOUT}`));
    else if (name === 'signature.toml') refuse(name, 'is written by `build --sign`; remove it from the source directory');
    else refuse(name, `unknown entry; ${LAYOUT}`);
  }
  return paths;
}

function skillRefusal(name) {
  if (!name.endsWith('.md')) return 'unknown file; skills are Markdown files named <skill>.md';
  if (!SKILL_NAME.test(name)) return "a skill file name uses letters, digits, '.', '_' and '-' only";
  if (!ustarPath(`skills/${name}`)) {
    return `the file name is ${Buffer.byteLength(name)} bytes; a pack's tar headers hold file names of at most 100 bytes (a skill name of at most 97 before .md)`;
  }
  return null;
}

/** Size limits; the files' bytes when they are met. */
function readAll(dir, paths, problems) {
  let total = 0;
  const files = [];
  if (paths.length > MAX_ENTRIES) problems.push(`${paths.length} files: a pack holds at most ${MAX_ENTRIES}`);
  for (const path of paths) {
    const size = statSync(join(dir, path)).size;
    total += size;
    if (size > MAX_FILE_BYTES) problems.push(`${path}: ${size} bytes, over the 8 MiB limit for one file`);
    else files.push({ path, bytes: readFileSync(join(dir, path)) });
  }
  if (total > MAX_TOTAL_BYTES) problems.push(`${total} bytes in all, over the 32 MiB limit for a pack`);
  return files;
}

/** The content checks of each kind of file. */
function checkContents(files, problems) {
  const has = new Set(files.map((f) => f.path));
  for (const required of ['manifest.toml', 'definition.json']) {
    if (!has.has(required)) problems.push(`${required}: missing; every pack has one`);
  }
  for (const { path, bytes } of files) {
    const text = checkText(path, bytes, problems);
    if (text === undefined) continue;
    if (path === 'manifest.toml') checkManifest(text, problems);
    else if (path === 'definition.json') checkDefinition(text, problems);
    else if (path === 'config/defaults.toml') checkDefaults(text, problems);
  }
}

/**
 * The files of the pack in `dir`, in path byte order, or a CliError listing
 * every problem found.
 * @returns {Array<{ path: string, bytes: Buffer }>}
 */
export function readPackDir(dir) {
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    throw new CliError(`${dir}: no such directory`);
  }
  if (!stat.isDirectory()) throw new CliError(`${dir}: not a directory (build takes the pack's source directory)`);
  const problems = [];
  const files = readAll(dir, listPaths(dir, problems), problems);
  checkContents(files, problems);
  if (problems.length > 0) {
    throw new CliError(`${dir} is not a valid pack source; nothing was written:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return files.sort(byPathBytes);
}
