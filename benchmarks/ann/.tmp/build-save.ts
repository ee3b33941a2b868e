import { HnswIndex } from '@mlsd/ann';
import { loadFashionMnist } from '@mlsd/datasets';

const ds = await loadFashionMnist();
const dim = 784,
  n = 60000;
const train = Float32Array.from(ds.train.images.subarray(0, n * dim));
const M = Number(process.env.M ?? 16);
const index = new HnswIndex({ dim, M, efConstruction: 200, capacity: n });
const t = performance.now();
index.addBatch(
  Array.from({ length: n }, (_, i) => String(i)),
  train,
);
console.log('build', (performance.now() - t) / 1000);
await index.save(`/tmp/annexp/fm${M}`);
