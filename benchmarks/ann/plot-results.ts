/**
 * The recall–QPS plot of benchmarks/results/ann.json: ours and Python hnswlib per M, the plain
 * hnswlib-node loop, and the exact baseline. Run on its own to redraw ann.svg from ann.json:
 * node --import tsx --conditions=@mlsd/source benchmarks/ann/plot-results.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HnswBenchmarkPoint } from '@mlsd/ann/internal';
import { recallQpsSvg, type Series } from './svg-plot.js';

/** The parts of ann.json the plot reads. */
export interface AnnResults {
  config: { train: number; queries: number };
  exact: { qps: number };
  runs: {
    M: number;
    ours: { best: HnswBenchmarkPoint[] };
    python: { best: HnswBenchmarkPoint[] };
    nativeLoop?: HnswBenchmarkPoint[];
  }[];
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

/** The plot as SVG text. */
export function annResultsSvg(result: AnnResults): string {
  const curve = (points: HnswBenchmarkPoint[]) =>
    points.map((p) => ({ x: p.recallAt10, y: p.qps }));
  const series: Series[] = result.runs.flatMap((run, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const lines: Series[] = [
      { name: `ours M=${run.M}`, color, points: curve(run.ours.best) },
      { name: `python hnswlib M=${run.M}`, color, dashed: true, points: curve(run.python.best) },
    ];
    if (run.nativeLoop !== undefined) {
      lines.push({
        name: `plain searchKnn loop M=${run.M}`,
        color: '#999',
        dashed: true,
        points: curve(run.nativeLoop),
      });
    }
    return lines;
  });
  return recallQpsSvg(
    `fashion-mnist-784-euclidean, k=10, one thread (${result.config.train} × ${result.config.queries})`,
    series,
    [{ name: 'exact (batch)', y: result.exact.qps, color: '#555' }],
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = new URL('../results/', import.meta.url);
  const json = JSON.parse(readFileSync(new URL('ann.json', results), 'utf8')) as AnnResults;
  writeFileSync(new URL('ann.svg', results), annResultsSvg(json));
  process.stderr.write('wrote benchmarks/results/ann.svg\n');
}
