import { CommanderError } from 'commander';
import { describeError } from './errors.js';
import { createProgram } from './program.js';

/**
 * Runs the mlsd command line on `argv` (as in `process.argv`) and resolves to the exit code:
 * 0 on success, 1 when a command fails, 2 for a usage error. Errors are one line on stderr.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv as string[]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed help, a version or a usage message.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (error.code === 'commander.help') return 0;
      return error.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`mlsd: ${describeError(error)}\n`);
    return 1;
  }
}
