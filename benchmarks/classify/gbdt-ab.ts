/**
 * Quick A/B of our GBDT's fit time on gbdt.bench.ts's training rows (the simulated fraud data,
 * ~500k rows × 15 features, cached under /tmp/ab after the first run), 100 iterations, balanced
 * class weights, for comparing two checkouts in one session: run it alternately from each
 * tree's root. Prints wall and process CPU seconds per fit (`AB_ROUNDS` fits, default 3).
 * Run: AB_LABEL=new node --import tsx --conditions=@mlsd/source benchmarks/classify/gbdt-ab.ts
 */
import { loadavg } from 'node:os';
import { GradientBoostingClassifier } from '@mlsd/classify';
import { toMatrix } from '@mlsd/core';
import { simulateTransactions } from '@mlsd/datasets';
import { computeFeatures, handbookFeatureSet } from '@mlsd/features';
import { type AbRows, readAbRows, writeAbRows } from './gbdt-ab-rows.js';
import { GBDT_AB_OPTIONS } from './gbdt-params.js';

const ROUNDS = Number(process.env.AB_ROUNDS ?? 3);
const { X, y, rows, cols } = readAbRows() ?? simulateRows();
const times: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const load = loadavg()[0]!.toFixed(2);
  const t = performance.now();
  const c0 = process.cpuUsage();
  const model = await new GradientBoostingClassifier(GBDT_AB_OPTIONS).fit(
    toMatrix(X, rows, cols),
    y,
  );
  const s = (performance.now() - t) / 1000;
  const cu = process.cpuUsage(c0);
  const cpu = (cu.user + cu.system) / 1e6;
  times.push(cpu);
  process.stdout.write(
    `${process.env.AB_LABEL ?? ''} rows=${rows} fit ${s.toFixed(2)} s cpu ${cpu.toFixed(2)} s load ${load} trees ${model.nIter}\n`,
  );
}
process.stdout.write(`${process.env.AB_LABEL ?? ''} best cpu ${Math.min(...times).toFixed(2)} s\n`);

/** gbdt.bench.ts's training rows (days [30, 82) of the default world), cached for the next run. */
function simulateRows(): AbRows {
  const { table } = simulateTransactions({
    customers: 5000,
    terminals: 10000,
    days: 183,
    seed: 2018,
  });
  const f = computeFeatures(table, handbookFeatureSet());
  const days = table.numeric('TX_TIME_DAYS');
  const fraud = table.numeric('TX_FRAUD');
  const cols = f.columns;
  const idx: number[] = [];
  for (let i = 0; i < days.length; i++) if (days[i]! >= 30 && days[i]! < 82) idx.push(i);
  const X = new Float64Array(idx.length * cols);
  const y = new Uint8Array(idx.length);
  idx.forEach((r, k) => {
    X.set(f.values.subarray(r * cols, (r + 1) * cols), k * cols);
    y[k] = fraud[r]!;
  });
  const data = { X, y, rows: idx.length, cols };
  writeAbRows(data);
  return data;
}
