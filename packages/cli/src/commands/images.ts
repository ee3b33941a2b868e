import type { Command } from 'commander';
import { addGroup } from '../group.js';

/** Registers `mlsd images ...`. */
export function registerImagesCommands(program: Command): void {
  addGroup(
    program,
    'images',
    'Visual similarity search: index image folders or Fashion-MNIST, query, evaluate.',
  );
}
