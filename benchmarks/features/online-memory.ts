/**
 * Is the in-process online state's memory bounded by what its windows hold?
 *
 * Streams a transaction log (CSV, in file order) through a trained fraud model's config and a
 * fresh `OnlineFeatureState` (as `mlsd fraud predict` does, `maxGapSeconds: null`), and at every
 * tenth of the file collects garbage and records the state's own counters (live events, arena
 * positions held by entities' blocks, arena size) beside the process's heapUsed. The state's
 * figures are exact; heap figures include the parser and the normalizer (small and flat).
 *
 * Run (node needs --expose-gc):
 *   pnpm -s mlsd fraud simulate --seed 2018 --layout public --out public.csv
 *   pnpm -s mlsd fraud init --in public.csv --out fraud.config.json
 *   pnpm -s mlsd fraud train --in public.csv --config fraud.config.json --out model
 *   node --expose-gc --import tsx --conditions=@mlsd/source \
 *     benchmarks/features/online-memory.ts --model model --in public.csv [--label after]
 * Writes benchmarks/results/online-memory.json (one entry per --label, others kept).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { OnlineFeatureState } from '@mlsd/features';
import { FraudModel, RowNormalizer } from '@mlsd/fraud';
import { CsvParser, readTextChunks } from '@mlsd/ingest';
import { describeMachine } from '../machine.js';

const { values: flags } = parseArgs({
  options: {
    model: { type: 'string' },
    in: { type: 'string' },
    label: { type: 'string', default: 'run' },
    out: { type: 'string', default: 'benchmarks/results/online-memory.json' },
    /** Diagnosis: write a heap snapshot into this directory at 30 % and 100 % of the file. */
    snapshots: { type: 'string' },
  },
});
if (flags.model === undefined || flags.in === undefined) {
  throw new Error('usage: online-memory.ts --model <dir> --in <log.csv> [--label name]');
}
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run node with --expose-gc');

async function countRows(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of readTextChunks(path, path)) {
    for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) lines++;
  }
  return lines - 1;
}

const space = (name: string): number =>
  getHeapSpaceStatistics().find((s) => s.space_name === name)?.space_used_size ?? 0;
const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const started = performance.now();
const model = await FraudModel.load(flags.model);
const rows = await countRows(flags.in);
const normalizer = new RowNormalizer(model.config.columns, { labels: 'optional' });
const state = new OnlineFeatureState(model.features, { maxGapSeconds: null });
const vector = new Float32Array(model.features.names.length);
const checkpoints: Record<string, unknown>[] = [];
let next = 1;
let read = 0;
let refused = 0;
let index: Int32Array | undefined;

const checkpoint = (): void => {
  gc();
  gc();
  const stats = state.stats();
  const point = {
    percent: Math.round((read / rows) * 100),
    rows: read,
    heapUsedMiB: mib(process.memoryUsage().heapUsed),
    arrayBuffersMiB: mib(process.memoryUsage().arrayBuffers),
    events: stats.events,
    capacity: stats.capacity,
    capacityPerEvent: Math.round((stats.capacity / Math.max(1, stats.events)) * 100) / 100,
    // Absent before the fix (stats() had neither): arena size incl. free blocks; ids kept.
    reserved: (stats as { reserved?: number }).reserved ?? null,
    retainedIds: (stats as { retainedIds?: number }).retainedIds ?? null,
    oldSpaceMiB: mib(space('old_space')),
    largeObjectSpaceMiB: mib(space('large_object_space')),
    transactions: stats.transactions,
    arenaMiB: mib(stats.bytes),
    byEntity: stats.byEntity,
  };
  checkpoints.push(point);
  if (flags.snapshots !== undefined && (point.percent === 30 || point.percent === 100)) {
    writeHeapSnapshot(
      `${flags.snapshots}/online-memory-${flags.label}-${point.percent}.heapsnapshot`,
    );
  }
  process.stderr.write(`[online-memory] ${JSON.stringify(point)}\n`);
};

const parser = new CsvParser((fields) => {
  if (index === undefined) {
    index = normalizer.bindHeader(
      fields.map((field) => field.trim()),
      flags.in!,
    ).index;
    return;
  }
  read++;
  if (normalizer.normalizeCells(fields, index) !== undefined) refused++;
  else {
    try {
      state.update(normalizer.toRecord(), vector);
    } catch {
      refused++;
    }
  }
  if (read * 10 >= next * rows) {
    checkpoint();
    next++;
  }
});
const loadStart = describeMachine().loadAverage;
for await (const chunk of readTextChunks(flags.in, flags.in)) parser.push(chunk);
parser.end();

const result = {
  command: `node --expose-gc --import tsx --conditions=@mlsd/source benchmarks/features/online-memory.ts --model ${flags.model} --in ${flags.in} --label ${flags.label}`,
  commit: process.env.GIT_COMMIT ?? null,
  rows,
  refused,
  seconds: Math.round((performance.now() - started) / 100) / 10,
  machine: { ...describeMachine(), loadAverageAtStart: loadStart },
  checkpoints,
};
const all: Record<string, unknown> = existsSync(flags.out)
  ? (JSON.parse(readFileSync(flags.out, 'utf8')) as Record<string, unknown>)
  : {};
all[flags.label] = result;
mkdirSync('benchmarks/results', { recursive: true });
writeFileSync(flags.out, `${JSON.stringify(all, null, 2)}\n`);
process.stderr.write(`[online-memory] wrote ${flags.out} (${flags.label})\n`);
