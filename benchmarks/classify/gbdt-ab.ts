/**
 * Quick A/B of our GBDT's fit time on gbdt.bench.ts's training rows (the simulated fraud data,
 * ~500k rows × 15 features, cached under /tmp/ab after the first run), 100 iterations, balanced
 * class weights, for comparing two checkouts in one session: run it alternately from each
 * tree's root. Prints wall and process CPU seconds per fit (`AB_ROUNDS` fits, default 3).
 * Run: AB_LABEL=new node --import tsx --conditions=@mlsd/source benchmarks/classify/gbdt-ab.ts
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { GradientBoostingClassifier } from '@mlsd/classify';
import { toMatrix } from '@mlsd/core';
import { simulateTransactions } from '@mlsd/datasets';
import { computeFeatures, handbookFeatureSet } from '@mlsd/features';

const CACHE = '/tmp/ab/gbdt-train.bin';
const ROUNDS = Number(process.env.AB_ROUNDS ?? 3);
let X: Float64Array;
let y: Uint8Array;
let cols: number;
if (existsSync(CACHE)) {
  const buf = readFileSync(CACHE);
  cols = buf.readUInt32LE(0);
  const rows = buf.readUInt32LE(4);
  X = new Float64Array(buf.buffer.slice(buf.byteOffset + 8, buf.byteOffset + 8 + rows * cols * 8));
  y = new Uint8Array(
    buf.buffer.slice(buf.byteOffset + 8 + rows * cols * 8, buf.byteOffset + 8 + rows * cols * 9),
  );
} else {
  const { table } = simulateTransactions({
    customers: 5000,
    terminals: 10000,
    days: 183,
    seed: 2018,
  });
  const f = computeFeatures(table, handbookFeatureSet());
  const days = table.numeric('TX_TIME_DAYS');
  const fraud = table.numeric('TX_FRAUD');
  cols = f.columns;
  const idx: number[] = [];
  for (let i = 0; i < days.length; i++) if (days[i]! >= 30 && days[i]! < 82) idx.push(i);
  X = new Float64Array(idx.length * cols);
  y = new Uint8Array(idx.length);
  idx.forEach((r, k) => {
    X.set(f.values.subarray(r * cols, (r + 1) * cols), k * cols);
    y[k] = fraud[r]!;
  });
  const head = Buffer.alloc(8);
  head.writeUInt32LE(cols, 0);
  head.writeUInt32LE(idx.length, 4);
  writeFileSync(CACHE, Buffer.concat([head, Buffer.from(X.buffer), Buffer.from(y.buffer)]));
}
const rows = y.length;
const times: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const load = loadavg()[0]!.toFixed(2);
  const t = performance.now();
  const c0 = process.cpuUsage();
  const model = await new GradientBoostingClassifier({
    maxIter: 100,
    learningRate: 0.1,
    maxLeafNodes: 31,
    minSamplesLeaf: 20,
    l2Regularization: 1,
    maxBins: 255,
    classWeight: 'balanced',
    earlyStopping: false,
  }).fit(toMatrix(X, rows, cols), y);
  const s = (performance.now() - t) / 1000;
  const cu = process.cpuUsage(c0);
  const cpu = (cu.user + cu.system) / 1e6;
  times.push(cpu);
  process.stdout.write(
    `${process.env.AB_LABEL ?? ''} rows=${rows} fit ${s.toFixed(2)} s cpu ${cpu.toFixed(2)} s load ${load} trees ${model.nIter}\n`,
  );
}
process.stdout.write(`${process.env.AB_LABEL ?? ''} best cpu ${Math.min(...times).toFixed(2)} s\n`);
