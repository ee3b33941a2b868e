import type { Command } from 'commander';
import { addGroup } from '../group.js';

/** Registers `mlsd fraud ...`. */
export function registerFraudCommands(program: Command): void {
  addGroup(
    program,
    'fraud',
    'Card-fraud detection: simulate transactions, train, evaluate, score.',
  );
}
