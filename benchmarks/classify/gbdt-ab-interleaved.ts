/**
 * GBDT fit A/B of two checkouts in one process: the cached training rows of gbdt-ab.ts
 * (`AB_ROWS_CACHE`; run that once first) fitted by this checkout's
 * `GradientBoostingClassifier` and by the one at `AB_BASE_TREE`, alternating (base, new, new,
 * base, …) for `ROUNDS` rounds, 100 iterations with balanced class weights. Prints process CPU
 * seconds per fit and, per side, the best and the median: one process and alternating fits keep
 * a shared machine's load from favouring either side.
 * Run: AB_BASE_TREE=/path/to/other/checkout ROUNDS=4 \
 *   node --import tsx --conditions=@mlsd/source benchmarks/classify/gbdt-ab-interleaved.ts
 */
import { loadavg } from 'node:os';
import { AB_ROWS_CACHE, readAbRows } from './gbdt-ab-rows.js';
import { GBDT_AB_OPTIONS } from './gbdt-params.js';

interface Fittable {
  fit(X: unknown, y: Uint8Array): Promise<{ nIter: number }>;
}
interface ClassifyModule {
  GradientBoostingClassifier: new (options: Record<string, unknown>) => Fittable;
}
interface CoreModule {
  toMatrix(values: Float64Array, rows: number, cols: number): unknown;
}

const baseTree = process.env.AB_BASE_TREE;
if (baseTree === undefined) throw new Error('Set AB_BASE_TREE to the other checkout.');
const ROUNDS = Number(process.env.ROUNDS ?? 4);
const sides: Record<string, { classify: ClassifyModule; core: CoreModule }> = {
  base: {
    classify: (await import(`${baseTree}/packages/classify/src/index.ts`)) as ClassifyModule,
    core: (await import(`${baseTree}/packages/core/src/index.ts`)) as CoreModule,
  },
  new: {
    classify: (await import('@mlsd/classify')) as unknown as ClassifyModule,
    core: (await import('@mlsd/core')) as unknown as CoreModule,
  },
};

const data = readAbRows();
if (data === undefined) throw new Error(`No rows at ${AB_ROWS_CACHE}: run gbdt-ab.ts once first.`);
const { X, y, rows, cols } = data;

const cpu: Record<string, number[]> = { base: [], new: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const name of round % 2 === 0 ? ['base', 'new'] : ['new', 'base']) {
    const side = sides[name]!;
    const load = loadavg()[0]!.toFixed(2);
    const started = process.cpuUsage();
    const model = await new side.classify.GradientBoostingClassifier(GBDT_AB_OPTIONS).fit(
      side.core.toMatrix(X, rows, cols),
      y,
    );
    const used = process.cpuUsage(started);
    const seconds = (used.user + used.system) / 1e6;
    cpu[name]!.push(seconds);
    process.stdout.write(
      `round ${round} ${name} fit cpu ${seconds.toFixed(2)} s trees ${model.nIter} load ${load}\n`,
    );
  }
}
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
for (const name of ['base', 'new']) {
  const values = cpu[name]!;
  process.stdout.write(
    `${name}: best ${Math.min(...values).toFixed(2)} s median ${median(values).toFixed(2)} s of ${values.length} fits\n`,
  );
}
process.stdout.write(
  `new/base median ${(median(cpu.new!) / median(cpu.base!)).toFixed(3)}, best ${(Math.min(...cpu.new!) / Math.min(...cpu.base!)).toFixed(3)}\n`,
);
