// Writing the static site of `web-build`: the page and Worker templates of
// site/, site.json (what the page loads and how it trusts the pack), the
// runtime as the package's single-file Worker build (dist/rkat-web-worker.js,
// the wasm glue inside, and its lazy chunks), the three wasm files
// (pkg/), and the pack. One module to fetch instead of dist/'s import graph,
// level by level: the Worker is ready 3x sooner, cold (bench ready). The
// site keeps the package's layout (dist/ beside pkg/): the build's URLs
// (../pkg/meerkat_web_runtime_bg.wasm) resolve with no bundler and no import map.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from './errors.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TEMPLATES = fileURLToPath(new URL('./site/', import.meta.url));
const GENERATOR = 'rkat-web-pack web-build';
/** What the site holds besides the pack (removed before a rebuild into the same directory). */
const OWNED = ['index.html', 'app.js', 'view.js', 'worker.js', 'style.css', 'README.md', 'site.json', 'dist', 'pkg'];
// The agent core, its mob part (linked before the first mob) and its pack part (the pack reader, linked to open the site's pack).
const WASM = ['meerkat_web_runtime_bg.wasm', 'meerkat_web_runtime_mobs.wasm', 'meerkat_web_runtime_pack.wasm'];
// The single-file Worker build and its chunks (`rkat-web-worker-*.js`: the pack reader, the parts' linker and the Worker's mob methods, loaded lazily).
const BUNDLE = 'rkat-web-worker';

/** The build's files in dist/: the entry and its chunks, without source maps. */
function bundleFiles(dist) {
  return readdirSync(dist).filter((name) => name === `${BUNDLE}.js` || (name.startsWith(`${BUNDLE}-`) && name.endsWith('.js')));
}

/** Copy `relative` from `from` to `to`, dropping its `//# sourceMappingURL` (the maps point at src/, not shipped). */
function copyModule(from, to, relative) {
  mkdirSync(join(to, relative, '..'), { recursive: true });
  const text = readFileSync(join(from, relative), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  writeFileSync(join(to, relative), text);
}

/**
 * Make `out` ready: a new or empty directory, or one an earlier web-build
 * wrote (its files are replaced); anything else is refused.
 */
export function prepareOutput(out) {
  if (!existsSync(out)) return mkdirSync(out, { recursive: true });
  if (!statSync(out).isDirectory()) throw new CliError(`${out} exists and is not a directory`);
  const names = readdirSync(out);
  if (names.length === 0) return;
  let previous;
  try {
    previous = JSON.parse(readFileSync(join(out, 'site.json'), 'utf8'));
  } catch {
    previous = undefined;
  }
  if (previous?.generator !== GENERATOR) {
    throw new CliError(`${out} is not empty and was not written by web-build; choose a new or empty directory`);
  }
  // The old pack: only a file name web-build could have written (`*.mobpack`); a site.json
  // edited by hand to `"pack": ".."` or `"."` must not remove the directory or its parent.
  const pack = String(previous.pack ?? '');
  const packs = pack.endsWith('.mobpack') && basename(pack) === pack ? [pack] : [];
  for (const name of [...OWNED, ...packs]) rmSync(join(out, name), { recursive: true, force: true });
}

/** Copy the runtime: the single-file Worker build with its chunks, and the wasm. */
function copyRuntime(out) {
  const dist = join(ROOT, 'dist');
  for (const path of [join(dist, `${BUNDLE}.js`), ...WASM.map((w) => join(ROOT, 'pkg', w))]) {
    if (!existsSync(path)) throw new CliError(`${path} is missing: build the package first (npm run build)`);
  }
  for (const file of bundleFiles(dist)) copyModule(dist, join(out, 'dist'), file);
  mkdirSync(join(out, 'pkg'), { recursive: true });
  for (const file of WASM) copyFileSync(join(ROOT, 'pkg', file), join(out, 'pkg', file));
}

/**
 * Write the whole site into `out` (prepared by `prepareOutput`).
 * @param {string} out
 * @param {{ packName: string, bytes: Uint8Array, site: Record<string, unknown> }} content
 */
export function writeSite(out, { packName, bytes, site }) {
  copyRuntime(out);
  for (const name of readdirSync(TEMPLATES)) copyFileSync(join(TEMPLATES, name), join(out, name));
  writeFileSync(join(out, packName), bytes);
  // The page fetches the pack by `packUrl`: its file name as one URL path
  // segment (`team#1.mobpack` is `./team%231.mobpack`; unescaped, `#` would end the path).
  const packUrl = `./${encodeURIComponent(packName)}`;
  writeFileSync(join(out, 'site.json'), `${JSON.stringify({ generator: GENERATOR, pack: packName, packUrl, ...site }, null, 2)}\n`);
}
