import os from 'node:os';
import { initBackend } from '@mlsd/tf';
import type { Command } from 'commander';
import { printJson, printLines } from '../output.js';
import { cliVersion } from '../version.js';

/** Registers `mlsd info`: versions, the machine and the TensorFlow.js backend chosen. */
export function registerInfoCommand(program: Command): void {
  program
    .command('info')
    .description('Show versions, the machine and the TensorFlow.js backend mlsd would use.')
    .option('--json', 'print one JSON line')
    .action(async (options: { json?: boolean }) => {
      const backend = await initBackend({ quiet: options.json === true });
      const info = {
        mlsd: cliVersion(),
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        cpus: os.cpus().length,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        backend: backend.name,
        backendReason: backend.reason,
      };
      if (options.json) printJson(info);
      else printLines(Object.entries(info).map(([key, value]) => `${key.padEnd(14)} ${value}`));
    });
}
