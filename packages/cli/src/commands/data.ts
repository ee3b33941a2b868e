import { FASHION_MNIST_LABELS, loadFashionMnist } from '@mlsd/datasets';
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
    .command('fashion-mnist')
    .description('Load Fashion-MNIST and print the images per class in each split.')
    .option('--dir <folder>', 'folder with the four .gz files (default: datasets/fashion-mnist)')
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
