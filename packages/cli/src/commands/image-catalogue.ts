import { resolve } from 'node:path';
import { InvalidArgumentError } from '@mlsd/core';
import {
  addImageFolder,
  findNearDuplicates,
  LiveCatalogue,
  reindexCatalogue,
  removeImages,
} from '@mlsd/vision';
import type { Command } from 'commander';
import { parseNumber, parsePositiveInt } from '../options.js';
import { printJson, printLines } from '../output.js';
import {
  type DecodeFlags,
  decodeFlags,
  decodeOptions,
  loadModel,
  type ModelFlags,
  modelFlags,
  progressBar,
  reportSkips,
} from './image-flags.js';

/** Registers the commands that change or inspect a catalogue: add, remove, reindex, dedup. */
export function registerImageCatalogueCommands(images: Command): void {
  registerAdd(images);
  registerRemove(images);
  registerReindex(images);
  registerDedup(images);
}

interface AddFlags extends DecodeFlags {
  index: string;
  dir: string;
  json?: boolean;
}

function registerAdd(images: Command): void {
  const command = images
    .command('add')
    .description(
      "Add a folder's images to an index (ids = relative paths, labels = folder names), embedded with the index's own model; " +
        'a running service takes adds through POST /v1/images instead.',
    )
    .requiredOption('--index <dir>', 'index to add to (changed in place, atomically)')
    .requiredOption('--dir <folder>', 'folder of images to add')
    .option('--json', 'print one JSON line: { added, skipped, total }');
  decodeFlags(command).action(async (flags: AddFlags) => {
    const catalogue = await LiveCatalogue.open(flags.index);
    try {
      const progress = progressBar('decoding + embedding', 'files');
      const summary = await addImageFolder(catalogue, flags.dir, {
        ...decodeOptions(flags),
        onProgress: (done, total) => progress.update(done, total),
      });
      progress.finish();
      reportSkips(summary.skipped);
      if (flags.json) printJson(summary);
      else {
        printLines([
          `added ${summary.added} images to ${resolve(flags.index)} (now ${summary.total}); skipped ${summary.skipped.length}`,
        ]);
      }
    } finally {
      await catalogue.close();
    }
  });
}

interface RemoveFlags {
  index: string;
  id: string[];
  json?: boolean;
}

function registerRemove(images: Command): void {
  images
    .command('remove')
    .description(
      'Remove images from an index by id (a running service takes DELETE /v1/images/:id instead).',
    )
    .requiredOption('--index <dir>', 'index to remove from (changed in place, atomically)')
    .requiredOption('--id <id...>', 'ids to remove')
    .option('--json', 'print one JSON line: { removed, total }')
    .action(async (flags: RemoveFlags) => {
      const catalogue = await LiveCatalogue.open(flags.index);
      try {
        const summary = await removeImages(catalogue, flags.id);
        if (flags.json) printJson(summary);
        else {
          printLines([
            `removed ${summary.removed} images from ${resolve(flags.index)} (now ${summary.total})`,
          ]);
        }
      } finally {
        await catalogue.close();
      }
    });
}

interface ReindexFlags extends ModelFlags {
  index: string;
  out: string;
  json?: boolean;
}

function registerReindex(images: Command): void {
  const command = images
    .command('reindex')
    .description(
      'Re-embed a catalogue for a new model: every image is read back from its source (file, upload or dataset) into a new index.',
    )
    .requiredOption('--index <dir>', 'the current index')
    .requiredOption('--out <dir>', 'where to write the new index (the old one is left as it is)')
    .option('--json', 'print one JSON line');
  modelFlags(command, 'the new embedding model').action(async (flags: ReindexFlags) => {
    if (flags.model === undefined)
      throw new InvalidArgumentError('Give the new model: --model <folder|file.onnx>.');
    const embedder = await loadModel(flags);
    const progress = progressBar('reindexing', 'images');
    const report = await reindexCatalogue(flags.index, embedder, flags.out, {
      onProgress: (done, total) => progress.update(done, total),
    });
    progress.finish();
    reportSkips(report.skipped);
    if (flags.json) {
      printJson(report);
      return;
    }
    printLines([
      `reindexed ${report.reindexed} images into ${report.out} (${report.from} → ${report.to}) in ${report.seconds.toFixed(1)} s; skipped ${report.skipped.length}`,
    ]);
  });
}

interface DedupFlags {
  index: string;
  maxDistance: number;
  neighbours: number;
  json?: boolean;
}

function registerDedup(images: Command): void {
  images
    .command('dedup')
    .description(
      'List groups of near-duplicate images in an index (cosine distance ≤ --max-distance), largest first.',
    )
    .requiredOption('--index <dir>', 'index to check')
    .option(
      '--max-distance <d>',
      'largest cosine distance (1 − cos) between near-duplicates',
      parseNumber('--max-distance'),
      0.05,
    )
    .option(
      '--neighbours <n>',
      'neighbours examined per image',
      parsePositiveInt('--neighbours'),
      10,
    )
    .option(
      '--json',
      'print one JSON line: { groups: [{ maxDistance, members: [{ id, distance, metadata }] }] }',
    )
    .action(async (flags: DedupFlags) => {
      const search = await LiveCatalogue.read(flags.index);
      const groups = findNearDuplicates(search, {
        maxDistance: flags.maxDistance,
        neighbours: flags.neighbours,
      });
      if (flags.json) {
        printJson({
          groups: groups.map((group) => ({
            maxDistance: group.maxDistance,
            members: group.members.map((m) => ({
              id: m.id,
              distance: m.distance,
              metadata: m.metadata ?? null,
            })),
          })),
        });
        return;
      }
      const duplicates = groups.reduce((sum, group) => sum + group.members.length - 1, 0);
      printLines([
        `${groups.length} groups of near-duplicates (${duplicates} images beyond the first of each) among ${search.size}:`,
        ...groups.flatMap((group, i) => [
          `group ${i + 1} (max distance ${group.maxDistance.toFixed(4)}):`,
          ...group.members.map((m) => `  ${m.distance.toFixed(4)}  ${m.id}`),
        ]),
      ]);
    });
}
