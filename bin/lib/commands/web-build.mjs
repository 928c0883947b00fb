// `rkat-web-pack web-build <pack> -o <dir>` (also `rkat mob web build`)
import { basename } from 'node:path';
import { parseCommand, required, trustedSigners } from '../args.mjs';
import { checkTrust } from '../core.mjs';
import { CliError } from '../errors.mjs';
import { urlCredential } from '../pack-checks.mjs';
import { openPack } from '../read-pack.mjs';
import { prepareOutput, writeSite } from '../web-site.mjs';
import { siteTrust } from '../web-trust.mjs';

export const webBuild = {
  name: 'web-build',
  summary: "write a static web site that runs a pack's mob in a Web Worker",
  usage: `usage: {cmd} <file.mobpack> -o <dir> [--trusted-signer <id>=<public key hex>]...

  -o, --output                 the site directory (new, empty, or an earlier web-build's)
  --trusted-signer <id>=<hex>  the only signer(s) the site accepts; repeatable

The site (index.html, a module Worker, the runtime's ES modules, the wasm and
the pack) needs no build step: serve the directory with any static server.
The page asks for each provider's base URL (default: rkat-web-proxy on
http://localhost:3100) and never holds an API key.

Trust: with --trusted-signer, the pack must be signed by one of those keys.
Without it, a signed pack is pinned to the key it was signed with (a warning
says so) and an unsigned pack is accepted as is (a warning says so). A bad
signature is always refused.`,
  async run(argv) {
    const { values, positionals } = parseCommand(
      argv,
      { output: { type: 'string', short: 'o' }, 'trusted-signer': { type: 'string', multiple: true } },
      { min: 1, max: 1, names: 'the .mobpack file' },
    );
    const out = required(values, 'output', '-o <dir>');
    const pack = await openPack(positionals[0]);
    // A pack built elsewhere: its base URLs go into site.json and the public page.
    for (const [name, value] of Object.entries(pack.info.defaults ?? {})) {
      const held = urlCredential(value);
      if (held) throw new CliError(`${positionals[0]}: the default ${name} holds ${held}; a site would publish it (defaults never hold keys)`);
    }
    const { trust, warning } = siteTrust(pack, trustedSigners(values['trusted-signer']));
    await checkTrust(pack.bytes, trust).catch((error) => {
      throw new CliError(`${positionals[0]}: ${error.message}`);
    });
    if (warning) console.error(`warning: ${warning}`);
    const packName = basename(positionals[0]).endsWith('.mobpack') ? basename(positionals[0]) : 'pack.mobpack';
    prepareOutput(out);
    writeSite(out, { packName, bytes: pack.bytes, site: siteInfo(pack, trust) });
    console.log(`wrote ${out}/ for ${pack.info.manifest.name} ${pack.info.manifest.version}`);
    console.log(`  digest  ${pack.info.digest}`);
    console.log(`  signer  ${pack.info.signerId ?? 'none (unsigned)'} · policy ${trust.policy}`);
    console.log(`serve it with any static server, e.g.: python3 -m http.server 8080 --bind 127.0.0.1 --directory ${out}`);
  },
};

/** What the page shows before the runtime has read the pack itself. */
function siteInfo({ info }, trust) {
  return {
    name: info.manifest.name,
    version: info.manifest.version,
    description: info.manifest.description ?? null,
    digest: info.digest,
    signerId: info.signerId,
    trust,
    // The page's default base URLs: the pack's own defaults where it has them.
    baseUrls: Object.fromEntries(
      ['anthropic', 'openai', 'gemini'].flatMap((p) => (info.defaults?.[`${p}BaseUrl`] ? [[p, info.defaults[`${p}BaseUrl`]]] : [])),
    ),
  };
}
