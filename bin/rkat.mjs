#!/usr/bin/env node
// `rkat`: the two mob commands of the Meerkat CLI that @rkat/web can serve,
// `rkat mob pack <dir> -o <file>` and `rkat mob web build <pack> -o <dir>`
// (the same as rkat-web-pack build and web-build). Everything else belongs
// to the full rkat CLI, which is not part of this package.
import { packageVersion, runCommand } from './lib/cli.mjs';
import { build } from './lib/commands/build.mjs';
import { webBuild } from './lib/commands/web-build.mjs';

const USAGE = `usage: rkat mob pack <dir> -o <file.mobpack> [--sign <key.pem> --signer-id <id>]
       rkat mob web build <file.mobpack> -o <dir>

@rkat/web ships only these two commands of the rkat CLI; rkat-web-pack has
the rest of the pack tools (verify, inspect, keygen).`;


/** Words that lead to the two commands (`rkat --help`, `rkat mob --help`, `rkat mob web --help`). */
const PREFIXES = ['', 'mob', 'mob web'];

/** The exit code of `rkat <argv>`. */
async function rkat(argv) {
  const [group, sub, sub2, ...rest] = argv;
  if (group === 'mob' && sub === 'pack') return runCommand('rkat mob', { ...build, name: 'pack' }, argv.slice(2));
  if (group === 'mob' && sub === 'web' && sub2 === 'build') return runCommand('rkat mob web', { ...webBuild, name: 'build' }, rest);
  if (argv.length === 1 && (group === '--version' || group === '-V')) {
    console.log(`rkat ${packageVersion()} (@rkat/web: rkat mob pack and rkat mob web build only)`);
    return 0;
  }
  if (argv.length === 0) {
    console.log(USAGE);
    return 2;
  }
  const words = argv.filter((a) => !a.startsWith('-'));
  // Help is shown for the commands this package has; `rkat run --help` is still a command it lacks.
  if ((argv.includes('--help') || argv.includes('-h')) && PREFIXES.includes(words.join(' '))) {
    console.log(USAGE);
    return 0;
  }
  const command = ['rkat', ...words.slice(0, 3)].join(' ');
  console.error(
    `rkat: \`${command}\` is not part of @rkat/web. This package ships only \`rkat mob pack\` and \`rkat mob web build\`; ` +
      `the full rkat CLI has the other commands.\n\n${USAGE}`,
  );
  return 2;
}

process.exitCode = await rkat(process.argv.slice(2));
