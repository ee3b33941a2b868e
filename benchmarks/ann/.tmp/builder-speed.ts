import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadFashionMnist } from '@mlsd/datasets';
import { buildHnswFile } from '../../../packages/ann/src/hnsw-builder.ts';

const ds = await loadFashionMnist();
const dim = 784,
  n = Number(process.env.N ?? 20000),
  M = Number(process.env.M ?? 16);
const train = Float32Array.from(ds.train.images.subarray(0, n * dim));
writeFileSync('/tmp/annexp/train-ab.f32', new Uint8Array(train.buffer));
const py = `
import hnswlib, numpy as np, time
x = np.fromfile('/tmp/annexp/train-ab.f32', dtype=np.float32).reshape(${n}, ${dim})
p = hnswlib.Index(space='l2', dim=${dim}); p.init_index(max_elements=${n}, ef_construction=200, M=${M}, random_seed=100)
t = time.perf_counter(); c = time.process_time(); p.add_items(x, np.arange(${n}), num_threads=1); print(time.perf_counter() - t, time.process_time() - c)
`;
for (let rep = 0; rep < Number(process.env.REPS ?? 2); rep++) {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const file = buildHnswFile(train, dim, {
    space: 'l2',
    M,
    efConstruction: 200,
    seed: 100,
    capacity: n,
  });
  const oursS = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const oursCpu = (used.user + used.system) / 1e6;
  const [pyS, pyCpu] = spawnSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8' })
    .stdout.trim()
    .split(' ')
    .map(Number);
  console.log(
    `rep ${rep}: JS/WASM builder wall ${oursS.toFixed(1)} s cpu ${oursCpu.toFixed(1)} s (${file.length} bytes), python wall ${pyS!.toFixed(1)} s cpu ${pyCpu!.toFixed(1)} s`,
  );
}
