// Command-line parsing on node:util's parseArgs: options are declared per
// command, unknown options and missing values become usage errors.
import { parseArgs } from 'node:util';
import { UsageError } from './errors.mjs';

/**
 * @typedef {{ type: 'string' | 'boolean', short?: string, multiple?: boolean }} OptionSpec
 * @param {string[]} argv the arguments after the command name
 * @param {Record<string, OptionSpec>} options
 * @param {{ min: number, max: number, names: string }} positionals how many, and what they are (for the message)
 */
export function parseCommand(argv, options, positionals) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '') : String(error));
  }
  const count = parsed.positionals.length;
  if (!parsed.values.help && (count < positionals.min || count > positionals.max)) {
    throw new UsageError(count < positionals.min ? `missing ${positionals.names}` : `unexpected argument ${JSON.stringify(parsed.positionals[positionals.max])}`);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/** The value of a required option. */
export function required(values, name, what) {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`missing ${what}`);
  return value;
}

/**
 * `--trusted-signer <id>=<hex>` values as a `trustedSigners` map.
 * @param {string[] | undefined} list
 * @returns {Record<string, string>}
 */
export function trustedSigners(list = []) {
  /** @type {Record<string, string>} */
  const signers = {};
  for (const item of list) {
    const at = item.indexOf('=');
    const id = item.slice(0, at);
    const hex = item.slice(at + 1).toLowerCase();
    if (at <= 0 || !/^[0-9a-f]{64}$/.test(hex)) {
      throw new UsageError(`--trusted-signer wants <signer id>=<64 hex chars of the public key>, got ${JSON.stringify(item)}`);
    }
    signers[id] = hex;
  }
  return signers;
}
