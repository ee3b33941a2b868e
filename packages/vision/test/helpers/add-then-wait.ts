/**
 * Child process of the crash test: opens a live catalogue, adds the image given as a file,
 * prints `acked <seq>` once the add is acknowledged, then waits to be killed.
 * Usage: add-then-wait.ts <catalogue dir> <id> <image file>
 */
import { readFile } from 'node:fs/promises';
import { LiveCatalogue, registerEmbedderKind } from '../../src/index.js';
import { QUADRANT_LOADER } from './quadrant-embedder.js';

const [dir, id, file] = process.argv.slice(2) as [string, string, string];
registerEmbedderKind(QUADRANT_LOADER);
const catalogue = await LiveCatalogue.open(dir, { compactEvery: 0 });
const change = await catalogue.add(id, await readFile(file), { label: 'crash' });
process.stdout.write(`acked ${change.seq}\n`);
setInterval(() => {}, 1000);
