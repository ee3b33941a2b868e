import { Command } from 'commander';
import { registerAnnCommands } from './commands/ann.js';
import { registerDataCommands } from './commands/data.js';
import { registerDriftCommands } from './commands/drift.js';
import { registerFraudCommands } from './commands/fraud.js';
import { registerImagesCommands } from './commands/images.js';
import { registerInfoCommand } from './commands/info.js';
import { registerServeCommand } from './commands/serve.js';
import { cliVersion } from './version.js';

/** Builds the `mlsd` command tree. Data goes to stdout, progress and logs to stderr. */
export function createProgram(): Command {
  const program = new Command('mlsd')
    .description(
      'Reference ML pipelines: card-fraud detection, visual similarity search, drift monitoring.\n' +
        'Data goes to stdout (one JSON line with --json); progress and logs go to stderr.',
    )
    .version(cliVersion(), '-V, --version')
    // Throw instead of calling process.exit, so main() decides the exit code; set before the
    // subcommands are added, which inherit it.
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
    });

  registerInfoCommand(program);
  registerDataCommands(program);
  registerFraudCommands(program);
  registerAnnCommands(program);
  registerImagesCommands(program);
  registerDriftCommands(program);
  registerServeCommand(program);
  return program;
}
