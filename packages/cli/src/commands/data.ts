import { FASHION_MNIST_LABELS, fetchFashionMnist, loadFashionMnist } from '@mlsd/datasets';
import type { Command } from 'commander';
import { addGroup } from '../group.js';
import { formatTable, printJson, printLines } from '../output.js';

/** Registers `mlsd data ...`: look at datasets and read files through a schema. */
export function registerDataCommands(program: Command): void {
  const data = addGroup(
    program,
    'data',
    'Datasets and ingestion: summarise Fashion-MNIST, read CSV/JSONL through a schema.',
  );

  data
    .command('fetch')
    .description(
      "Copy Fashion-MNIST from a local folder (default: Debian's dataset-fashion-mnist in " +
        '/usr/share/datasets/fashion-mnist) into the folder the loader reads (MLSD_DATA_DIR, else ' +
        '~/.local/share/mlsd), checking each file. Nothing is downloaded.',
    )
    .option('--from <folder>', 'folder with the four official .gz files')
    .option('--to <folder>', 'destination (default: <data dir>/fashion-mnist)')
    .option('--json', 'print one JSON line')
    .action(async (options: { from?: string; to?: string; json?: boolean }) => {
      const fetched = await fetchFashionMnist({
        ...(options.from === undefined ? {} : { from: options.from }),
        ...(options.to === undefined ? {} : { to: options.to }),
      });
      if (options.json) {
        printJson(fetched);
        return;
      }
      printLines([
        fetched.copied === 0
          ? `Fashion-MNIST is already in ${fetched.dir} (same files as ${fetched.source})`
          : `Fashion-MNIST: ${fetched.copied} files copied from ${fetched.source} to ${fetched.dir}`,
      ]);
    });

  data
    .command('fashion-mnist')
    .description('Load Fashion-MNIST and print the images per class in each split.')
    .option(
      '--dir <folder>',
      "folder with the four .gz files (default: where `mlsd data fetch` put them, a clone's datasets/fashion-mnist, or Debian's)",
    )
    .option('--json', 'print one JSON line')
    .action(async (options: { dir?: string; json?: boolean }) => {
      const dataset = await loadFashionMnist(options.dir === undefined ? {} : { dir: options.dir });
      const perClass = (labels: Uint8Array) => {
        const counts = new Array<number>(10).fill(0);
        for (const label of labels) counts[label]!++;
        return counts;
      };
      const train = perClass(dataset.train.labels);
      const test = perClass(dataset.test.labels);
      if (options.json) {
        printJson({
          dir: dataset.dir,
          train: dataset.train.count,
          test: dataset.test.count,
          rows: dataset.train.rows,
          cols: dataset.train.cols,
          classes: FASHION_MNIST_LABELS.map((name, label) => ({
            label,
            name,
            train: train[label],
            test: test[label],
          })),
        });
        return;
      }
      printLines([
        `Fashion-MNIST from ${dataset.dir}: ${dataset.train.count} train + ${dataset.test.count} test images, ${dataset.train.rows}×${dataset.train.cols}`,
        ...formatTable([
          ['label', 'class', 'train', 'test'],
          ...FASHION_MNIST_LABELS.map((name, label) => [
            String(label),
            name,
            train[label]!,
            test[label]!,
          ]),
        ]),
      ]);
    });
}
