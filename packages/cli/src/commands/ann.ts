import type { Command } from 'commander';
import { addGroup } from '../group.js';

/** Registers `mlsd ann ...`. */
export function registerAnnCommands(program: Command): void {
  addGroup(
    program,
    'ann',
    'Approximate nearest-neighbour search: build, query and benchmark HNSW and exact indexes.',
  );
}
