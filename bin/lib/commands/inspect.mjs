// `rkat-web-pack inspect <file> [--json]`
import { parseCommand } from '../args.mjs';
import { size } from '../output.mjs';
import { openPack } from '../read-pack.mjs';

export const inspect = {
  name: 'inspect',
  summary: "show a .mobpack's manifest, files, skills, digest and signer (trusting nothing)",
  usage: `usage: {cmd} <file.mobpack> [--json]

  --json   print one JSON object instead of text

Reads the pack with the runtime's own reader (MeerkatRuntime.inspectMobpack);
signatureValid says whether the signature matches the contents, not whether
the signer is trusted (that is verify's job).`,
  async run(argv) {
    const { values, positionals } = parseCommand(argv, { json: { type: 'boolean' } }, { min: 1, max: 1, names: 'the .mobpack file' });
    const summary = summarize(positionals[0], await openPack(positionals[0]));
    console.log(values.json ? JSON.stringify(summary, null, 2) : text(summary));
  },
};

function summarize(file, { bytes, info, entries, publicKey }) {
  return {
    file,
    size: bytes.length,
    manifest: info.manifest,
    files: entries.map(({ path, size: bytes }) => ({ path, size: bytes })),
    skills: info.skills.map((s) => ({ name: s.name, size: s.bytes.length })),
    profiles: Object.keys(info.definition?.profiles ?? {}),
    orchestrator: info.definition?.orchestrator?.profile ?? null,
    digest: info.digest,
    signerId: info.signerId,
    publicKey,
    signatureValid: info.signatureValid,
  };
}

function text(s) {
  const { name, version, description, ...rest } = s.manifest;
  const signer = s.signerId === null ? 'none (unsigned)' : `${s.signerId} (${s.signatureValid ? 'signature valid' : 'SIGNATURE INVALID'}; key ${s.publicKey})`;
  const lines = [
    `${name} ${version}${description ? ` — ${description}` : ''}`,
    ...Object.entries(rest).map(([key, value]) => `  ${key.padEnd(14)} ${Array.isArray(value) ? value.join(', ') || '(none)' : JSON.stringify(value)}`),
    `  file           ${s.file} (${size(s.size)})`,
    `  digest         ${s.digest}`,
    `  signer         ${signer}`,
    `  signatureValid ${s.signatureValid}`,
    `  orchestrator   ${s.orchestrator ?? '(none)'}`,
    `  profiles       ${s.profiles.join(', ') || '(none)'}`,
    `  skills         ${s.skills.map((k) => k.name).join(', ') || '(none)'}`,
    '  files',
    ...s.files.map((f) => `    ${f.path.padEnd(28)} ${size(f.size)}`),
  ];
  return lines.join('\n');
}
