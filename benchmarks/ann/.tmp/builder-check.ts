import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { exactKnn, neighbourLists, recallAtK } from '@mlsd/ann';
import { Rng } from '@mlsd/core';
import { buildHnswFile } from '../../../packages/ann/src/hnsw-builder.ts';
import { HnswGraph } from '../../../packages/ann/src/hnsw-graph.ts';

const require = createRequire('/work/main/packages/ann/package.json');
const { HierarchicalNSW } = require('hnswlib-node');
const dim = 32,
  n = 3000,
  q = 200;
const rng = new Rng(1);
const data = rng.fillNormal(new Float32Array(n * dim));
const queries = rng.fillNormal(new Float32Array(q * dim));
for (const space of ['l2', 'ip', 'cosine'] as const) {
  let t = performance.now();
  const file = buildHnswFile(data, dim, {
    space,
    M: 16,
    efConstruction: 100,
    seed: 7,
    capacity: n,
  });
  const ourS = (performance.now() - t) / 1000;
  writeFileSync('/tmp/annexp/built.hnsw', file);
  const native = new HierarchicalNSW(space, dim);
  native.readIndexSync('/tmp/annexp/built.hnsw', false);
  native.setEf(20);
  const graph = new HnswGraph(file, dim, space);
  const truth = neighbourLists(exactKnn(data, queries, dim, 10, { space }));
  const foundNative: number[][] = [],
    foundGraph: number[][] = [];
  let same = 0;
  for (let i = 0; i < q; i++) {
    const row = Array.from(queries.subarray(i * dim, (i + 1) * dim));
    const r = native.searchKnn(row, 10);
    foundNative.push(r.neighbors);
    const c = graph.search(queries, i * dim, 10, 20);
    foundGraph.push(Array.from(graph.resultLabels.subarray(0, c)));
    if (JSON.stringify(r.neighbors) === JSON.stringify(foundGraph[i])) same++;
  }
  t = performance.now();
  const ref = new HierarchicalNSW(space, dim);
  ref.initIndex(n, 16, 100, 7);
  for (let i = 0; i < n; i++) ref.addPoint(Array.from(data.subarray(i * dim, (i + 1) * dim)), i);
  const refS = (performance.now() - t) / 1000;
  ref.setEf(20);
  const foundRef = Array.from(
    { length: q },
    (_, i) => ref.searchKnn(Array.from(queries.subarray(i * dim, (i + 1) * dim)), 10).neighbors,
  );
  const tr = truth.map((r) => Array.from(r));
  console.log(
    space,
    'same',
    same,
    '/',
    q,
    'recall ours-built',
    recallAtK(foundNative, tr, 10).toFixed(4),
    'hnswlib-built',
    recallAtK(foundRef, tr, 10).toFixed(4),
    'build s',
    ourS.toFixed(2),
    'vs',
    refS.toFixed(2),
    'count',
    native.getCurrentCount(),
  );
}
