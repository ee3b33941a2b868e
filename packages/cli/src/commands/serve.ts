import type { Command } from 'commander';
import { addGroup } from '../group.js';

/** Registers `mlsd serve`. */
export function registerServeCommand(program: Command): void {
  addGroup(program, 'serve', 'HTTP service for fraud scoring and similar-image lookup.');
}
