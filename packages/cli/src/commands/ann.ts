import { benchmarkHnsw, type HnswBenchmarkResult } from '@mlsd/ann/internal';
import { InvalidArgumentError } from '@mlsd/core';
import { loadFashionMnist } from '@mlsd/datasets';
import type { Command } from 'commander';
import { addGroup } from '../group.js';
import { parseIntList, parsePositiveInt } from '../options.js';
import { formatTable, printJson, printLines } from '../output.js';

/** Datasets `mlsd ann bench` knows. */
const BENCH_DATASETS = ['fashion-mnist'] as const;

interface BenchOptions {
  dataset: string;
  dataDir?: string;
  M: number;
  efConstruction: number;
  ef: number[];
  queries?: number;
  train?: number;
  json?: boolean;
}

/** Registers `mlsd ann ...`. */
export function registerAnnCommands(program: Command): void {
  const ann = addGroup(
    program,
    'ann',
    'Approximate nearest-neighbour search: build, query and benchmark HNSW and exact indexes.',
  );

  ann
    .command('bench')
    .description(
      'The ann-benchmarks protocol: index the raw pixels with HNSW, compute exact ground truth, ' +
        'then run the queries one at a time at each ef and report recall@10, QPS and latency.',
    )
    .requiredOption('--dataset <name>', `dataset to index (${BENCH_DATASETS.join(', ')})`)
    .option('--data-dir <folder>', 'folder with the Fashion-MNIST .gz files')
    .option('--M <n>', 'links per node', parsePositiveInt('--M'), 16)
    .option('--ef-construction <n>', 'build beam width', parsePositiveInt('--ef-construction'), 200)
    .option(
      '--ef <list>',
      'search beam widths, comma-separated',
      parseIntList('--ef'),
      [10, 20, 40, 80, 160],
    )
    .option(
      '--queries <n>',
      'test queries to run (default: all 10,000)',
      parsePositiveInt('--queries'),
    )
    .option(
      '--train <n>',
      'training vectors to index (default: all 60,000)',
      parsePositiveInt('--train'),
    )
    .option('--json', 'print one JSON line')
    .action(async (options: BenchOptions) => {
      if (!(BENCH_DATASETS as readonly string[]).includes(options.dataset)) {
        throw new InvalidArgumentError(
          `mlsd ann bench: unknown dataset '${options.dataset}'; choose one of ${BENCH_DATASETS.join(', ')}.`,
        );
      }
      const dataset = await loadFashionMnist(
        options.dataDir === undefined ? {} : { dir: options.dataDir },
      );
      const dim = dataset.train.rows * dataset.train.cols;
      const n = Math.min(options.train ?? dataset.train.count, dataset.train.count);
      const queries = Math.min(options.queries ?? dataset.test.count, dataset.test.count);
      // Raw pixel values 0–255 as float32, as ann-benchmarks' fashion-mnist-784-euclidean has them.
      const train = Float32Array.from(dataset.train.images.subarray(0, n * dim));
      const test = Float32Array.from(dataset.test.images.subarray(0, queries * dim));
      const result = benchmarkHnsw({
        train,
        test,
        dim,
        M: options.M,
        efConstruction: options.efConstruction,
        efs: options.ef,
      });
      if (options.json) {
        printJson(result);
        return;
      }
      printLines(describeBench(options.dataset, result));
    });
}

function describeBench(dataset: string, result: HnswBenchmarkResult): string[] {
  return [
    `${dataset}: ${result.n.toLocaleString('en-US')} vectors × ${result.dim}, ` +
      `${result.queries.toLocaleString('en-US')} queries, k=10, M=${result.M}, ` +
      `efConstruction=${result.efConstruction}`,
    `build ${result.buildS.toFixed(1)} s (one thread); exact search ` +
      `${result.exactQps === null ? '–' : result.exactQps.toFixed(1)} queries/s`,
    ...formatTable([
      ['ef', 'recall@10', 'QPS', 'p50 ms', 'p99 ms'],
      ...result.points.map((p) => [
        p.ef,
        Number(p.recallAt10.toFixed(4)),
        Math.round(p.qps),
        Number(p.p50Ms.toFixed(3)),
        Number(p.p99Ms.toFixed(3)),
      ]),
    ]),
  ];
}
