// `rkat-web-pack keygen -o <key.pem>`
import { existsSync } from 'node:fs';
import { parseCommand, required } from '../args.mjs';
import { CliError } from '../errors.mjs';
import { writeWhole } from '../output.mjs';
import { generateKey } from '../sign.mjs';

export const keygen = {
  name: 'keygen',
  summary: 'write a new Ed25519 signing key (PKCS#8 PEM, mode 0600) and print its public key',
  usage: `usage: {cmd} -o <key.pem>

  -o, --output   where to write the private key (refused if the file exists)

Prints the public key as 64 hex characters: give it to whoever verifies your
packs (rkat-web-pack verify --trusted-signer <id>=<public key>).`,
  run(argv) {
    const { values } = parseCommand(argv, { output: { type: 'string', short: 'o' } }, { min: 0, max: 0, names: '' });
    const output = required(values, 'output', '-o <key.pem>');
    if (existsSync(output)) throw new CliError(`${output} exists; keygen never overwrites a key (remove it or choose another path)`);
    const key = generateKey();
    writeWhole(output, key.pem, 0o600);
    console.log(`wrote ${output} (Ed25519 private key, keep it secret)`);
    console.log(`public key: ${key.publicKeyHex}`);
  },
};
