// `rkat-web-pack verify <file> [--trusted-signer <id>=<hex>]... [--permissive]`
import { parseCommand, trustedSigners } from '../args.mjs';
import { checkTrust } from '../core.mjs';
import { CliError } from '../errors.mjs';
import { openPack } from '../read-pack.mjs';

export const verify = {
  name: 'verify',
  summary: "check a .mobpack's signature against trusted signers, as the runtime's strict policy does",
  usage: `usage: {cmd} <file.mobpack> [--trusted-signer <id>=<public key hex>]... [--permissive]

  --trusted-signer <id>=<hex>  a signer to trust and its raw Ed25519 public key (64 hex); repeatable
  --permissive                 accept an unsigned pack (a signature that is present must still be valid)

Exit 0: "verified (signer <id>)". Exit 1 with the reason: not a valid pack,
unsigned, unknown signer, key mismatch, bad signature. The decision is the
runtime's own (MeerkatRuntime.initFromMobpack with mobpackTrust).`,
  async run(argv) {
    const { values, positionals } = parseCommand(
      argv,
      { 'trusted-signer': { type: 'string', multiple: true }, permissive: { type: 'boolean' } },
      { min: 1, max: 1, names: 'the .mobpack file' },
    );
    const signers = trustedSigners(values['trusted-signer']);
    const pack = await openPack(positionals[0]);
    const { info } = pack;
    await checkTrust(pack.bytes, { policy: values.permissive ? 'permissive' : 'strict', trustedSigners: signers }).catch((error) => {
      const why = error.code === 'UNTRUSTED_MOBPACK' ? hint(info, signers, pack.publicKey, values.permissive) : '';
      throw new CliError(`${positionals[0]}: ${error.message}${why}`);
    });
    console.log(info.signerId === null ? 'accepted: unsigned pack (permissive policy)' : `verified (signer ${info.signerId})`);
    console.log(`  pack    ${info.manifest.name} ${info.manifest.version}`);
    console.log(`  digest  ${info.digest}`);
  },
};

/** What to do about a trust refusal, when the inspection tells (never a guess for another kind of refusal). */
function hint(info, signers, publicKey, permissive) {
  if (info.signerId === null) {
    return permissive ? '' : '\n  the pack is unsigned (build it with --sign), or pass --permissive to accept unsigned packs';
  }
  if (!info.signatureValid) return '\n  the signature does not match the contents: the pack was changed after it was signed';
  if (!(info.signerId in signers)) {
    return `\n  signer ${info.signerId} is not trusted: pass --trusted-signer ${info.signerId}=<public key hex> with a key you got from the signer` +
      (publicKey ? ` (the pack says ${publicKey})` : '');
  }
  if (publicKey && signers[info.signerId] !== publicKey) {
    return `\n  the pack is signed with key ${publicKey}, not the trusted ${signers[info.signerId]}`;
  }
  return '';
}
