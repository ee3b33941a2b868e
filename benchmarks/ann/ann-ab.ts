/**
 * Quick A/B of HnswIndex's build and search on a Fashion-MNIST subset (20,000 indexed, 2,000
 * queries, M = 16, efConstruction = 200; the ann-benchmarks protocol of ann.bench.ts, smaller),
 * for comparing two checkouts in one session: run it alternately from each tree's root. Build
 * CPU seconds are printed beside wall seconds (steadier on a shared machine).
 * Run: AB_LABEL=new node --import tsx --conditions=@mlsd/source benchmarks/ann/ann-ab.ts
 */
import { loadavg } from 'node:os';
import {
  buildHnswForBenchmark,
  exactGroundTruth,
  optimizeBuild,
  sweepEf,
} from '@mlsd/ann/internal';
import { loadFashionMnist } from '@mlsd/datasets';

const TRAIN = Number(process.env.AB_TRAIN ?? 20000);
const QUERIES = Number(process.env.AB_QUERIES ?? 2000);
const label = process.env.AB_LABEL ?? '';
const ds = await loadFashionMnist();
const dim = ds.train.rows * ds.train.cols;
const train = Float32Array.from(ds.train.images.subarray(0, TRAIN * dim));
const test = Float32Array.from(ds.test.images.subarray(0, QUERIES * dim));
const exact = exactGroundTruth(train, test, dim);
const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');
const l0 = load();
const c0 = process.cpuUsage();
const build = buildHnswForBenchmark({ train, dim, M: 16, efConstruction: 200, progress: false });
const cu = process.cpuUsage(c0);
optimizeBuild(build);
process.stdout.write(
  `${label} build ${build.insertS.toFixed(2)} s cpu ${((cu.user + cu.system) / 1e6).toFixed(2)} s optimise ${build.optimizeS.toFixed(3)} s (load ${l0}); exact ${exact.qps.toFixed(0)} q/s\n`,
);
for (let pass = 0; pass < 2; pass++) {
  const l = load();
  const points = sweepEf(build.index, test, exact.truth, [10, 20, 40, 80, 160], 100);
  process.stdout.write(
    `${label} pass ${pass} (load ${l}): ${points.map((p) => `ef ${p.ef} r ${p.recallAt10.toFixed(4)} qps ${p.qps.toFixed(0)}`).join(' | ')}\n`,
  );
}
