import { loadFashionMnist } from '@mlsd/datasets';
import { buildHnswFile } from '../../../packages/ann/src/hnsw-builder.ts';

const ds = await loadFashionMnist();
const dim = 784,
  n = 10000;
const train = Float32Array.from(ds.train.images.subarray(0, n * dim));
const t = performance.now();
buildHnswFile(train, dim, { space: 'l2', M: Number(process.env.M ?? 16), efConstruction: 200, seed: 100, capacity: n });
console.log((performance.now() - t) / 1000);
