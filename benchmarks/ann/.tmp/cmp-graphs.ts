import { HnswIndex } from '@mlsd/ann';
import { loadFashionMnist } from '@mlsd/datasets';

const ds = await loadFashionMnist();
const dim = 784,
  n = Number(process.env.N ?? 3000),
  Q = 1000;
const train = Float32Array.from(ds.train.images.subarray(0, n * dim));
const test = Float32Array.from(ds.test.images.subarray(0, Q * dim));
const ids = Array.from({ length: n }, (_, i) => String(i));
const bulk = new HnswIndex({ dim, M: 16, efConstruction: 200, capacity: n });
bulk.addBatch(ids, train);
const plain = new HnswIndex({ dim, M: 16, efConstruction: 200, capacity: n, bulkBuild: false });
plain.addBatch(ids, train);
plain.optimizeForSearch();
for (const ef of [10, 80]) {
  for (let rep = 0; rep < 3; rep++) {
    for (const [name, index] of [
      ['bulk', bulk],
      ['plain', plain],
    ] as const) {
      index.ef = ef;
      const times = new Float64Array(Q);
      for (let q = 0; q < Q; q++) {
        const t = performance.now();
        index.search(test.subarray(q * dim, (q + 1) * dim), 10);
        times[q] = performance.now() - t;
      }
      times.sort();
      console.log(ef, name, (times[Q >> 1]! * 1000).toFixed(1), 'us p50');
    }
  }
}
