/**
 * Search A/B on one saved graph: the first run builds and saves a 20,000-vector Fashion-MNIST
 * index (M = 16, efConstruction = 200) and the exact truth of 2,000 queries under /tmp/ab;
 * every run (from either checkout) loads that artifact and runs the same queries one at a time,
 * reporting recall@10 and queries per CPU-second per ef (steadier than wall time when the
 * machine is shared).
 * Run: AB_LABEL=new node --import tsx --conditions=@mlsd/source benchmarks/ann/ann-search-ab.ts
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { loadIndex, neighbourLists, recallAtK } from '@mlsd/ann';
import { buildHnswForBenchmark, exactGroundTruth } from '@mlsd/ann/internal';
import { loadFashionMnist } from '@mlsd/datasets';

const TRAIN = 20000;
const QUERIES = 2000;
const DIR = '/tmp/ab/idx-20k';
const TRUTH = '/tmp/ab/truth-20k.i32';
const label = process.env.AB_LABEL ?? '';
const ds = await loadFashionMnist();
const dim = ds.train.rows * ds.train.cols;
const train = Float32Array.from(ds.train.images.subarray(0, TRAIN * dim));
const test = Float32Array.from(ds.test.images.subarray(0, QUERIES * dim));
if (!existsSync(DIR)) {
  const build = buildHnswForBenchmark({ train, dim, M: 16, efConstruction: 200, progress: false });
  await build.index.save(DIR);
  const exact = exactGroundTruth(train, test, dim);
  writeFileSync(TRUTH, new Uint8Array(exact.truth.indices.buffer));
}
const raw = readFileSync(TRUTH);
const indices = new Int32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
const truth = neighbourLists({
  count: QUERIES,
  k: 10,
  indices,
  distances: new Float32Array(indices.length),
}).map((r) => Array.from(r, String));
const index = (await loadIndex(DIR)) as unknown as {
  ef: number;
  search(q: Float32Array, k: number): { ids: string[] };
};
const parts: string[] = [];
for (const ef of [10, 20, 40, 80, 160]) {
  index.ef = ef;
  for (let q = 0; q < 100; q++) index.search(test.subarray(q * dim, (q + 1) * dim), 10);
  const found: string[][] = [];
  const c0 = process.cpuUsage();
  for (let q = 0; q < QUERIES; q++)
    found.push(index.search(test.subarray(q * dim, (q + 1) * dim), 10).ids);
  const cu = process.cpuUsage(c0);
  const cpu = (cu.user + cu.system) / 1e6;
  parts.push(
    `ef ${ef} r ${recallAtK(found, truth, 10).toFixed(4)} q/cpu-s ${(QUERIES / cpu).toFixed(0)}`,
  );
}
process.stdout.write(`${label} (load ${loadavg()[0]!.toFixed(2)}): ${parts.join(' | ')}\n`);
