// Content checks of a pack's files: text is UTF-8, the manifest names the
// pack, the definition is a JSON object, the defaults hold no credential.
// Each check adds `<path>: <why>` lines to `problems`.
import { CliError } from './errors.mjs';
import { tomlEntries, tomlString } from './toml.mjs';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The file as text, or undefined (and a problem) when it is not UTF-8. */
export function checkText(path, bytes, problems) {
  try {
    return utf8.decode(bytes);
  } catch {
    problems.push(`${path}: not UTF-8 text`);
    return undefined;
  }
}

/** TOML entries, or undefined (and the parse problem). */
function parseToml(path, text, problems) {
  try {
    return tomlEntries(text, path);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    problems.push(error.message);
    return undefined;
  }
}

export function checkManifest(text, problems) {
  const entries = parseToml('manifest.toml', text, problems);
  if (!entries) return;
  for (const field of ['name', 'version']) {
    const value = tomlString(entries, 'mobpack', field);
    if (value === undefined || value.trim() === '') problems.push(`manifest.toml: [mobpack] ${field} is missing (a non-empty string)`);
  }
  const caps = entries.find((e) => e.table.join('.') === 'requires' && e.key.join('.') === 'capabilities');
  if (caps && !(Array.isArray(caps.value) && caps.value.every((c) => typeof c === 'string' && !/^[0-9]/.test(c)))) {
    problems.push('manifest.toml: [requires] capabilities must be an array of strings');
  }
}

export function checkDefinition(text, problems) {
  let definition;
  try {
    definition = JSON.parse(text);
  } catch (error) {
    return problems.push(`definition.json: not JSON (${error instanceof Error ? error.message : error})`);
  }
  if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) {
    problems.push('definition.json: must be a JSON object (a mob definition)');
  }
}

/** Key names that hold credentials (`maxTokens` is fine; `apiKey`, `authToken`, `secret` are not). */
const CREDENTIAL_NAME = /api[_-]?key|secret|passw(or)?d|credential|bearer|(auth|access|refresh|id)[_-]?token|^token$/i;
/** Values shaped like provider keys. */
const CREDENTIAL_VALUE = /^(sk-|sk_|AIza|xox[bp]-|ghp_)/;

/** Query parameters that carry credentials (Gemini's `key=`, `api_key=`, `token=`...). */
const CREDENTIAL_PARAM = /^(key|api[_-]?key|token|access[_-]?token|auth|sig|signature|secret|password)$/i;

/**
 * Why a default's value, read as a URL, carries a credential (a user name or
 * password, a key in its query), or null: such a URL would be written into a
 * web-build site's site.json and shown on its public page.
 * @param {unknown} value
 * @returns {string | null}
 */
export function urlCredential(value) {
  if (typeof value !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return null;
  let url;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.username !== '' || url.password !== '') return 'a user name or password';
  const param = [...url.searchParams.keys()].find((name) => CREDENTIAL_PARAM.test(name));
  return param === undefined ? null : `the query parameter ${param}=`;
}

export function checkDefaults(text, problems) {
  const entries = parseToml('config/defaults.toml', text, problems);
  for (const { table, key, value } of entries ?? []) {
    const name = [...table, ...key].join('.');
    if ([...table, ...key].some((part) => CREDENTIAL_NAME.test(part))) {
      problems.push(`config/defaults.toml: ${name} looks like a credential; defaults never hold keys (the page or the proxy supplies them)`);
    } else if (typeof value === 'string' && CREDENTIAL_VALUE.test(value)) {
      problems.push(`config/defaults.toml: the value of ${name} looks like an API key; defaults never hold keys`);
    } else if (urlCredential(value)) {
      problems.push(`config/defaults.toml: the URL of ${name} holds ${urlCredential(value)}; defaults never hold keys`);
    }
  }
}
