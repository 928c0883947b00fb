// Running a command: help, and turning what it throws into a message on
// stderr and an exit code (2 usage, 1 refused input, 70 a bug).
import { readFileSync } from 'node:fs';
import { CliError, UsageError } from './errors.mjs';

/** This package's version (its package.json). */
export function packageVersion() {
  return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
}

/**
 * @typedef {{ name: string, summary: string, usage: string, run: (argv: string[]) => Promise<void> | void }} Command
 */

/** The usage text of a program with its commands. */
export function programUsage(program, commands) {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `usage: ${program} <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n${program} <command> --help shows a command's options.`;
}

/** Run `command` with `argv`; the exit code. */
export async function runCommand(program, command, argv) {
  const usage = command.usage.replaceAll('{cmd}', `${program} ${command.name}`);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage);
    return 0;
  }
  try {
    await command.run(argv);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${program} ${command.name}: ${error.message}\n\n${usage}`);
      return error.exitCode;
    }
    if (error instanceof CliError) {
      console.error(`${program} ${command.name}: ${error.message}`);
      return error.exitCode;
    }
    console.error(`${program} ${command.name}: unexpected error (a bug; please report it):`, error);
    return 70;
  }
}

/** Dispatch `argv` (command name first) among `commands`; the exit code. */
export async function main(program, commands, argv) {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(programUsage(program, commands));
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    console.log(`${program} ${packageVersion()}`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`${program}: unknown command ${JSON.stringify(name)}\n\n${programUsage(program, commands)}`);
    return 2;
  }
  return runCommand(program, command, rest);
}
