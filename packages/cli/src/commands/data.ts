import type { Command } from 'commander';
import { addGroup } from '../group.js';

/** Registers `mlsd data ...`: look at datasets and read files through a schema. */
export function registerDataCommands(program: Command): void {
  addGroup(
    program,
    'data',
    'Datasets and ingestion: summarise Fashion-MNIST, read CSV/JSONL through a schema.',
  );
}
