/**
 * Search A/B of two checkouts in one process: loads the index saved by ann-search-ab.ts
 * (/tmp/ab/idx-20k, 20,000 Fashion-MNIST vectors, M = 16, efConstruction = 200) with this
 * checkout's `loadIndex` and with the one at `AB_BASE_TREE`, then alternates the two ef by ef
 * (`ROUNDS` rounds, 2,000 queries one at a time, 100 warm-up queries each) and prints queries per
 * CPU-second, best and median per side. One process and interleaved passes keep a shared
 * machine's load from favouring either side.
 * Run: AB_BASE_TREE=/path/to/other/checkout ROUNDS=7 \
 *   node --import tsx --conditions=@mlsd/source benchmarks/ann/ann-search-ab-interleaved.ts
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { loadFashionMnist } from '@mlsd/datasets';

interface Searchable {
  ef: number;
  search(query: Float32Array, k: number): { ids: string[] };
}
interface AnnModule {
  loadIndex(dir: string): Promise<unknown>;
}

const baseTree = process.env.AB_BASE_TREE;
if (baseTree === undefined) throw new Error('Set AB_BASE_TREE to the other checkout.');
const ours = (await import('@mlsd/ann')) as AnnModule;
const theirs = (await import(`${baseTree}/packages/ann/src/index.ts`)) as AnnModule;
const dim = 784;
const QUERIES = 2000;
const EFS = [10, 20, 40, 80, 160];
const dataset = await loadFashionMnist();
const test = Float32Array.from(dataset.test.images.subarray(0, QUERIES * dim));
const raw = readFileSync('/tmp/ab/truth-20k.i32');
const truth = new Int32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
const sides: Record<string, Searchable> = {
  base: (await theirs.loadIndex('/tmp/ab/idx-20k')) as Searchable,
  new: (await ours.loadIndex('/tmp/ab/idx-20k')) as Searchable,
};
const rates: Record<string, Record<number, number[]>> = { base: {}, new: {} };
for (let round = 0; round < Number(process.env.ROUNDS ?? 5); round++) {
  for (const ef of EFS) {
    for (const name of round % 2 === 0 ? ['base', 'new'] : ['new', 'base']) {
      const index = sides[name]!;
      index.ef = ef;
      for (let q = 0; q < 100; q++) index.search(test.subarray(q * dim, (q + 1) * dim), 10);
      let hits = 0;
      const started = process.cpuUsage();
      for (let q = 0; q < QUERIES; q++) {
        for (const id of index.search(test.subarray(q * dim, (q + 1) * dim), 10).ids) {
          for (let j = 0; j < 10; j++) if (truth[q * 10 + j] === Number(id)) hits++;
        }
      }
      const used = process.cpuUsage(started);
      (rates[name]![ef] ??= []).push(QUERIES / ((used.user + used.system) / 1e6));
      if (round === 0)
        process.stdout.write(`${name} ef ${ef} recall@10 ${(hits / QUERIES / 10).toFixed(4)}\n`);
    }
  }
  process.stdout.write(`round ${round} done, load ${loadavg()[0]!.toFixed(2)}\n`);
}
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
for (const ef of EFS) {
  const base = rates.base![ef]!;
  const next = rates.new![ef]!;
  process.stdout.write(
    `ef ${ef}: queries/CPU-s base best ${Math.max(...base).toFixed(0)} median ${median(base).toFixed(0)}` +
      ` | new best ${Math.max(...next).toFixed(0)} median ${median(next).toFixed(0)}` +
      ` | new/base median ${(median(next) / median(base)).toFixed(3)}\n`,
  );
}
