// `rkat-web-pack build <dir> -o <file.mobpack> [--sign <key.pem> --signer-id <id>]`
import { existsSync } from 'node:fs';
import { parseCommand, required } from '../args.mjs';
import { buildPack } from '../build.mjs';
import { inspectPack } from '../core.mjs';
import { size, writeWhole } from '../output.mjs';

export const build = {
  name: 'build',
  summary: 'build a reproducible .mobpack from a pack directory (optionally signed)',
  usage: `usage: {cmd} <dir> -o <file.mobpack> [--sign <key.pem> --signer-id <id>]

  <dir>              the pack source: manifest.toml, definition.json, skills/*.md, config/defaults.toml
  -o, --output       the .mobpack file to write (parent directories are created)
  --sign <key.pem>   sign with this Ed25519 PKCS#8 PEM key (rkat-web-pack keygen)
  --signer-id <id>   the signer's id, written into signature.toml (with --sign)

The same directory always gives the same bytes. Nothing is written when the
directory is refused, or when the runtime's own reader refuses the result.`,
  async run(argv) {
    const { values, positionals } = parseCommand(
      argv,
      { output: { type: 'string', short: 'o' }, sign: { type: 'string' }, 'signer-id': { type: 'string' } },
      { min: 1, max: 1, names: 'the pack directory' },
    );
    const output = required(values, 'output', '-o <file.mobpack>');
    await buildTo(positionals[0], output, { keyPath: values.sign, signerId: values['signer-id'] });
  },
};

/** Build, read the result back with the core (as the runtime will), then write it. Shared with `rkat mob pack`. */
export async function buildTo(dir, output, sign) {
  const pack = buildPack(dir, sign);
  const checked = await inspectPack(pack.bytes, `the pack built from ${dir}`);
  const replaced = existsSync(output);
  writeWhole(output, pack.bytes);
  console.log(`${replaced ? 'rewrote' : 'wrote'} ${output} (${size(pack.bytes.length)}, ${pack.files.length} files)`);
  console.log(`  pack    ${checked.manifest.name} ${checked.manifest.version}`);
  console.log(`  digest  ${pack.digest}`);
  console.log(`  signer  ${pack.signerId === null ? 'none (unsigned)' : `${pack.signerId} (public key ${pack.publicKey})`}`);
}
