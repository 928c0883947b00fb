#!/usr/bin/env node
// rkat-web-pack: build, sign, verify and inspect .mobpack files, and turn one
// into a static web site (web-build). See `rkat-web-pack --help`.
import { main } from './lib/cli.mjs';
import { build } from './lib/commands/build.mjs';
import { inspect } from './lib/commands/inspect.mjs';
import { keygen } from './lib/commands/keygen.mjs';
import { verify } from './lib/commands/verify.mjs';
import { webBuild } from './lib/commands/web-build.mjs';

process.exitCode = await main('rkat-web-pack', [build, verify, inspect, keygen, webBuild], process.argv.slice(2));
