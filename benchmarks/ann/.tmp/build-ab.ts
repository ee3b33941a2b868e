import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { HnswIndex } from '@mlsd/ann';
import { loadFashionMnist } from '@mlsd/datasets';

const require = createRequire('/work/main/packages/ann/package.json');
const { HierarchicalNSW } = require('hnswlib-node');
const ds = await loadFashionMnist();
const dim = 784,
  n = Number(process.env.N ?? 15000),
  M = Number(process.env.M ?? 16);
const train = Float32Array.from(ds.train.images.subarray(0, n * dim));
writeFileSync('/tmp/annexp/train-ab.f32', new Uint8Array(train.buffer));
const py = `
import hnswlib, numpy as np, time
x = np.fromfile('/tmp/annexp/train-ab.f32', dtype=np.float32).reshape(${n}, ${dim})
p = hnswlib.Index(space='l2', dim=${dim}); p.init_index(max_elements=${n}, ef_construction=200, M=${M}, random_seed=100)
t = time.perf_counter(); p.add_items(x, np.arange(${n}), num_threads=1); print(time.perf_counter() - t)
`;
for (let rep = 0; rep < Number(process.env.REPS ?? 2); rep++) {
  let t = performance.now();
  const raw = new HierarchicalNSW('l2', dim);
  raw.initIndex(n, M, 200, 100);
  const row = new Array(dim).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) row[j] = train[i * dim + j];
    raw.addPoint(row, i);
  }
  const rawS = (performance.now() - t) / 1000;
  t = performance.now();
  const ours = new HnswIndex({ dim, M, efConstruction: 200, capacity: n });
  ours.addBatch(
    Array.from({ length: n }, (_, i) => String(i)),
    train,
  );
  const oursS = (performance.now() - t) / 1000;
  const pyS = Number(spawnSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8' }).stdout.trim());
  console.log(
    `rep ${rep}: raw node loop ${rawS.toFixed(1)} s, HnswIndex.addBatch ${oursS.toFixed(1)} s, python ${pyS.toFixed(1)} s`,
  );
}
