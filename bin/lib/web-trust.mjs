// The trust a built site gives its pack (written into site.json, used by the
// page as `mobpackTrust`, and checked here first with the same core):
// - signers named with --trusted-signer: strict, only those keys;
// - a signed pack and no --trusted-signer: strict, pinned to the key the pack
//   was signed with when the site was built (a warning says so: it stops a
//   pack changed after the build, not a pack that was bad before it);
// - an unsigned pack: permissive (there is nothing to verify; a warning says
//   so, and the page shows "unsigned").
// A signature that does not match the contents is refused in every case.
import { CliError } from './errors.mjs';

/**
 * @param {{ info: any, publicKey: string | null }} pack
 * @param {Record<string, string>} named the --trusted-signer map
 * @returns {{ trust: { policy: 'strict' | 'permissive', trustedSigners: Record<string, string> }, warning: string | null }}
 */
export function siteTrust(pack, named) {
  const { signerId, signatureValid } = pack.info;
  if (Object.keys(named).length > 0) return { trust: { policy: 'strict', trustedSigners: named }, warning: null };
  if (signerId === null) {
    return {
      trust: { policy: 'permissive', trustedSigners: {} },
      warning: 'the pack is unsigned: the site accepts it as it is (permissive policy); sign packs with `rkat-web-pack build --sign`',
    };
  }
  if (!signatureValid) throw new CliError('the pack\'s signature does not match its contents: it was changed after it was signed');
  if (pack.publicKey === null) throw new CliError('the pack is signed but its public key could not be read');
  return {
    trust: { policy: 'strict', trustedSigners: { [signerId]: pack.publicKey } },
    warning:
      `trusting the pack's own signer ${signerId} (key ${pack.publicKey}) as found at build time; ` +
      `pass --trusted-signer ${signerId}=<key> to check it against a key you got from the signer`,
  };
}
