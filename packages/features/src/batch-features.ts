import { InvalidArgumentError, Table } from '@mlsd/core';
import type { EntityEvaluator } from './entity-plan.js';
import { type EventColumns, NO_EVENTS } from './event-columns.js';
import type { FeatureSet } from './feature-set.js';
import { bucketByDestination } from './row-buckets.js';
import { readTableInputs, type TableInputs } from './table-inputs.js';

/** Features of many transactions: a row-major `rows × columns` matrix and its column names. */
export interface FeatureMatrix<
  T extends Float64Array | Float32Array = Float64Array | Float32Array,
> {
  /** Feature names, one per column. */
  readonly names: readonly string[];
  /** Row-major values: feature `j` of row `i` is `values[i * columns + j]`. */
  readonly values: T;
  /** Number of rows (transactions). */
  readonly rows: number;
  /** Number of columns (features). */
  readonly columns: number;
}

/** Options of {@link computeFeatures}. */
export interface ComputeFeaturesOptions {
  /** Element type of the matrix (default `'float64'`); values are computed in float64 either way. */
  dtype?: 'float64' | 'float32';
}

/**
 * Computes `features` for every row of a time-sorted normalized table, each row seeing only what
 * was known at its own time (equal times: earlier rows first, as a stable sort leaves them).
 * O(n) overall: rows are grouped by entity key with a counting sort, then each entity's windows
 * slide over its rows with two pointers and exact accumulators — the same accumulators the
 * online evaluators rebuild windows with, so both give the same bits.
 *
 * @throws InvalidDataError for unsorted or non-finite times, labels other than 0/1, window values
 *   outside the exact range (naming the column and first bad row).
 * @throws NotFoundError for a missing column; NotFittedError when the set needs fitting.
 */
export function computeFeatures(
  table: Table,
  features: FeatureSet,
  options?: { dtype?: 'float64' },
): FeatureMatrix<Float64Array>;
export function computeFeatures(
  table: Table,
  features: FeatureSet,
  options: { dtype: 'float32' },
): FeatureMatrix<Float32Array>;
export function computeFeatures(
  table: Table,
  features: FeatureSet,
  options?: ComputeFeaturesOptions,
): FeatureMatrix;
export function computeFeatures(
  table: Table,
  features: FeatureSet,
  options: ComputeFeaturesOptions = {},
): FeatureMatrix {
  const dtype = options.dtype ?? 'float64';
  if (dtype !== 'float64' && dtype !== 'float32') {
    throw new InvalidArgumentError(
      `computeFeatures: dtype must be 'float64' or 'float32', got ${JSON.stringify(dtype)}.`,
    );
  }
  features.assertFitted('computeFeatures');
  const names = features.names;
  const input = readTableInputs(table, features);
  const n = input.rows;
  const columns = names.length;
  const values =
    dtype === 'float32' ? new Float32Array(n * columns) : new Float64Array(n * columns);
  writeRowFeatures(features, input, values, columns);
  for (const plan of features.entities) {
    writeEntityFeatures(plan.createEvaluator(features.prior), input, values, columns);
  }
  return { names, values, rows: n, columns };
}

/** Rows per block of the row-feature pass: a block's rows of the matrix stay in cache. */
const ROW_BLOCK = 1_024;

function writeRowFeatures(
  features: FeatureSet,
  input: TableInputs,
  out: Float64Array | Float32Array,
  stride: number,
): void {
  const numbers = new Float64Array(4);
  const rowFeatures = features.rowFeatures;
  const numeric = rowFeatures.map((feature) =>
    feature.numericInputs.map((column) => input.numeric.get(column)!),
  );
  const categories = rowFeatures.map((feature) =>
    feature.categoryInput === undefined ? undefined : input.categories.get(feature.categoryInput),
  );
  const times = input.times;
  // Feature by feature within blocks of rows: each feature's loop stays simple, and the block's
  // rows are written while in cache instead of one pass over the whole matrix per feature.
  for (let from = 0; from < input.rows; from += ROW_BLOCK) {
    const to = Math.min(input.rows, from + ROW_BLOCK);
    for (let r = 0; r < rowFeatures.length; r++) {
      const feature = rowFeatures[r]!;
      const columns = numeric[r]!;
      const category = categories[r];
      for (let i = from; i < to; i++) {
        for (let k = 0; k < columns.length; k++) numbers[k] = columns[k]![i]!;
        let value: string | null = null;
        if (category !== undefined) {
          const code = category.codes[i]!;
          value = code < 0 ? null : category.levels[code]!;
        }
        feature.write(out, i * stride, times[i]!, numbers, value);
      }
    }
  }
}

/**
 * Groups the rows by the entity's key (stable counting sort), copies each group's events into
 * contiguous columns, and slides the entity's windows along them.
 */
function writeEntityFeatures(
  evaluator: EntityEvaluator,
  input: TableInputs,
  out: Float64Array | Float32Array,
  stride: number,
): void {
  const plan = evaluator.plan;
  const layout = plan.layout;
  const { ids, count } = input.keys.get(plan.name)!;
  const n = input.rows;
  const starts = new Int32Array(count + 1);
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    if (id < 0) missing++;
    else starts[id + 1]!++;
  }
  for (let g = 0; g < count; g++) starts[g + 1]! += starts[g]!;
  const grouped = n - missing;
  const order = new Int32Array(grouped);
  const rank = new Int32Array(n).fill(-1);
  const next = starts.slice(0, count);
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    if (id >= 0) {
      rank[i] = next[id]!;
      order[next[id]!++] = i;
    }
  }

  const readsLabels = layout.labels && input.labels.length > 0;
  const sources: ArrayLike<number>[] = [input.times];
  if (readsLabels) sources.push(input.labels, input.labelTimes);
  for (const column of layout.valueColumns) sources.push(input.values.get(column)!);
  for (const column of layout.categoryColumns) sources.push(input.categories.get(column)!.codes);
  const gathered = gatherColumns(sources, rank, grouped);
  let field = 0;
  const times = gathered[field++]!;
  const events: EventColumns = {
    times,
    labels: readsLabels ? Uint8Array.from(gathered[field++]!) : new Uint8Array(0),
    labelTimes: readsLabels ? gathered[field++]! : new Float64Array(0),
    values: layout.valueColumns.map(() => gathered[field++]!),
    codes: layout.categoryColumns.map(() => Int32Array.from(gathered[field++]!)),
  };
  const arrivals = readsLabels && input.hasLabelTimes ? labelArrivals(events, starts) : undefined;
  const labelWindows = evaluator.labelWindows;
  // The features are written in group order into a compact block (`span` values per event),
  // then bucketed by row and copied: writing each row's cells where its entity's events are
  // visited would touch the whole matrix at random, a cache and TLB miss per write.
  const outputs = Int32Array.from(evaluator.features, (feature) => feature.output);
  let first = stride;
  let last = -1;
  for (const output of outputs) {
    first = Math.min(first, output);
    last = Math.max(last, output);
  }
  const span = last - first + 1;
  const block = new Float64Array(grouped * span);

  for (let g = 0; g < count; g++) {
    const start = starts[g]!;
    const end = starts[g + 1]!;
    evaluator.resetAt(start);
    let next = arrivals === undefined ? 0 : arrivals.starts[g]!;
    const last = arrivals === undefined ? 0 : arrivals.starts[g + 1]!;
    for (let k = start; k < end; k++) {
      const time = times[k]!;
      // Labels that became known by now count in the windows already holding their events.
      while (next < last && events.labelTimes[arrivals!.positions[next]!]! <= time) {
        const position = arrivals!.positions[next++]!;
        for (const { window, fraud } of labelWindows) {
          if (position >= window.lo && position < window.hi) fraud.reveal(events, position);
        }
      }
      evaluator.slide(events, k, time);
      evaluator.write(block, k * span - first, events, start, k, time);
    }
  }
  const { rows, destinations } = bucketByDestination(block, span, order, n);
  for (let e = 0; e < grouped; e++) {
    const from = e * span - first;
    const to = destinations[e]! * stride;
    for (let f = 0; f < outputs.length; f++) out[to + outputs[f]!] = rows[from + outputs[f]!]!;
  }
  if (missing > 0) {
    evaluator.clear();
    for (let i = 0; i < n; i++) {
      if (ids[i]! < 0) evaluator.write(out, i * stride, NO_EVENTS, 0, 0, input.times[i]!);
    }
  }
}

/**
 * Each source column in entity order: `sources[f][i]` at position `rank[i]` (rows with rank −1
 * left out), as float64 columns of `grouped` values. The columns are interleaved row by row
 * first (one sequential pass), then bucketed by position (see {@link bucketByDestination}), so
 * no pass visits the rows at random.
 */
function gatherColumns(
  sources: readonly ArrayLike<number>[],
  rank: Int32Array,
  grouped: number,
): Float64Array[] {
  const width = sources.length;
  const rowCount = rank.length;
  const packed = new Float64Array(rowCount * width);
  for (let f = 0; f < width; f++) {
    const source = sources[f]!;
    for (let i = 0; i < rowCount; i++) packed[i * width + f] = source[i]!;
  }
  const { rows, destinations } = bucketByDestination(packed, width, rank, grouped);
  const targets = sources.map(() => new Float64Array(grouped));
  for (let e = 0; e < destinations.length; e++) {
    const k = destinations[e]!;
    for (let f = 0; f < width; f++) targets[f]![k] = rows[e * width + f]!;
  }
  return targets;
}

/**
 * Per group, the positions of fraud labels with a finite label time, by label time (then by
 * position): the moments at which a label starts to count. Labels known with the event (−∞) count
 * when the event enters a window; labels never known (+∞) never do.
 */
function labelArrivals(
  events: EventColumns,
  starts: Int32Array,
): { positions: Int32Array; starts: Int32Array } {
  const groups = starts.length - 1;
  const arrivalStarts = new Int32Array(groups + 1);
  const positions: number[] = [];
  for (let g = 0; g < groups; g++) {
    const from = positions.length;
    for (let p = starts[g]!; p < starts[g + 1]!; p++) {
      if (events.labels[p] === 1 && Number.isFinite(events.labelTimes[p]!)) positions.push(p);
    }
    const slice = positions.slice(from);
    slice.sort((a, b) => events.labelTimes[a]! - events.labelTimes[b]! || a - b);
    for (let k = 0; k < slice.length; k++) positions[from + k] = slice[k]!;
    arrivalStarts[g + 1] = positions.length;
  }
  return { positions: Int32Array.from(positions), starts: arrivalStarts };
}

/** The matrix as a {@link Table} with one typed-array column per feature. */
export function featureMatrixToTable(matrix: FeatureMatrix): Table {
  const { names, values, rows, columns } = matrix;
  const Constructor = values instanceof Float32Array ? Float32Array : Float64Array;
  const out: Record<string, Float64Array | Float32Array> = {};
  names.forEach((name, j) => {
    const column = new Constructor(rows);
    for (let i = 0; i < rows; i++) column[i] = values[i * columns + j]!;
    out[name] = column;
  });
  return new Table(out);
}
