import type { Command } from 'commander';
import { addGroup } from '../group.js';

/** Registers `mlsd drift ...`. */
export function registerDriftCommands(program: Command): void {
  addGroup(
    program,
    'drift',
    'Drift monitoring: two-sample KS and companion tests, windowed monitors.',
  );
}
