// The runtime's own pack reader, as the browser will run it: this package's
// dist/ (MeerkatRuntime) and pkg/ (the wasm core, read from disk in Node).
// `verify`, `inspect`, `web-build` and the check after `build` all go
// through here, so the CLI never accepts a pack the runtime would refuse.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError, describe } from './errors.mjs';

const DIST = new URL('../../dist/index.js', import.meta.url);
const GLUE = new URL('../../pkg/meerkat_web_runtime.js', import.meta.url);

let loaded;

/** `{ MeerkatRuntime, wasm }`, loaded once. */
export function loadRuntime() {
  loaded ??= (async () => {
    for (const url of [DIST, GLUE]) {
      if (!existsSync(fileURLToPath(url))) {
        throw new CliError(`${fileURLToPath(url)} is missing: build the package first (npm run build)`);
      }
    }
    const [{ MeerkatRuntime }, wasm] = await Promise.all([import(DIST.href), import(GLUE.href)]);
    if (typeof MeerkatRuntime.inspectMobpack !== 'function' || typeof MeerkatRuntime.initFromMobpack !== 'function') {
      throw new CliError('this build of @rkat/web has no mobpack reader (MeerkatRuntime.inspectMobpack): rebuild it (npm run build)');
    }
    return { MeerkatRuntime, wasm };
  })();
  return loaded;
}

/**
 * What the core reads in the pack, trusting nothing:
 * `{ manifest, definition, skills: [{ name, bytes }], digest, signerId, signatureValid }`.
 * @param {Uint8Array} bytes
 * @param {string} what names the pack in the message of a refusal
 */
export async function inspectPack(bytes, what) {
  const { MeerkatRuntime, wasm } = await loadRuntime();
  try {
    return await MeerkatRuntime.inspectMobpack(wasm, bytes);
  } catch (error) {
    // The wasm core or its pack part could not be loaded: the install is at fault, not the pack.
    if (BROKEN.has(error?.code)) {
      throw new CliError(`cannot read ${what}: this install of @rkat/web cannot read packs: ${describe(error)}; reinstall it or rebuild it (npm run build)`);
    }
    throw new CliError(`${what} is not a valid pack: ${describe(error)}`);
  }
}

/** Errors of the runtime's own files (the wasm, its parts), whatever the pack. */
const BROKEN = new Set(['WASM_INIT_FAILED', 'VERSION_MISMATCH']);

/**
 * The runtime's trust decision on the pack: resolves when
 * `initFromMobpack` with `trust` as `mobpackTrust` accepts it, else a
 * CliError with the core's reason.
 * @param {Uint8Array} bytes
 * @param {{ policy: 'strict' | 'permissive', trustedSigners: Record<string, string> }} trust
 */
export async function checkTrust(bytes, trust) {
  const { MeerkatRuntime, wasm } = await loadRuntime();
  let runtime;
  try {
    runtime = await MeerkatRuntime.initFromMobpack(wasm, bytes, { mobpackTrust: trust });
  } catch (error) {
    // The code goes along: only a trust refusal (UNTRUSTED_MOBPACK) gets verify's hint.
    throw Object.assign(new CliError(`not verified: ${describe(error)}`), { code: error?.code });
  } finally {
    await runtime?.destroy();
  }
}
