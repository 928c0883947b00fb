// The two ways a command fails: a usage error (exit 2: the command line is
// wrong, the usage is shown) and a failure (exit 1: the input or the pack is
// refused). Anything else is a bug and is printed with its stack.

export class CliError extends Error {
  /** @param {string} message @param {number} [exitCode] */
  constructor(message, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export class UsageError extends CliError {
  /** @param {string} message */
  constructor(message) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** The message of anything thrown, with the core's error code when it has one. */
export function describe(error) {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string' && error.code !== '') {
    return `${error.code}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
