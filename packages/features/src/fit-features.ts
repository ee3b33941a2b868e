import { InvalidDataError, type Table } from '@mlsd/core';
import { readCategoryCodes } from './category-codes.js';
import { FeatureSet } from './feature-set.js';
import type { FittedFeature, FittedParameters } from './feature-spec.js';

/** Options of {@link fitFeatureSet}. */
export interface FitFeatureSetOptions {
  /** Indices of the training rows (default every row). Nothing else is read. */
  rows?: ArrayLike<number>;
}

/**
 * Fits what some features learn from data, on the training rows only, and returns a new
 * FeatureSet whose spec holds it under `fitted` (so a saved spec is self-contained and batch
 * and online read the same parameters):
 * - the training fraud rate: the prior of smoothed `risk` and `target-encoding`;
 * - `frequency`: each value's share of the training rows;
 * - `one-hot`: the `maxCategories` most frequent values (ties by value), in that order.
 * @throws InvalidDataError when there are no training rows, or labels are needed but not 0/1.
 * @throws NotFoundError for a missing column.
 */
export function fitFeatureSet(
  features: FeatureSet,
  table: Table,
  options: FitFeatureSetOptions = {},
): FeatureSet {
  const rows = options.rows ?? Int32Array.from({ length: table.length }, (_, i) => i);
  if (rows.length === 0) {
    throw new InvalidDataError(
      'fitFeatureSet: no training rows; fitting needs at least one (check the training period).',
    );
  }
  const spec = features.spec;
  let fraudRate: number | null = null;
  const label = spec.columns.label;
  if (label !== null && table.has(label)) {
    const labels = table.numeric(label);
    let frauds = 0;
    for (let k = 0; k < rows.length; k++) {
      const value = labels[rows[k]!]!;
      if (value !== 0 && value !== 1) {
        throw new InvalidDataError(
          `fitFeatureSet: column "${label}" row ${rows[k]}: fraud label is ${value}; labels must be 0 or 1.`,
          { column: label, row: rows[k], value },
        );
      }
      frauds += value;
    }
    fraudRate = frauds / rows.length;
  } else if (
    features.needsFitting &&
    spec.features.some((f) => 'smoothing' in f && f.smoothing > 0)
  ) {
    throw new InvalidDataError(
      `fitFeatureSet: smoothed risk needs the training fraud rate, but the table has no label column "${label}".`,
      { column: label },
    );
  }

  const learned: Record<string, FittedFeature> = {};
  for (const definition of spec.features) {
    if (definition.kind !== 'frequency' && definition.kind !== 'one-hot') continue;
    const { codes, levels } = readCategoryCodes(table.column(definition.column));
    const counts = new Float64Array(levels.length);
    for (let k = 0; k < rows.length; k++) {
      const code = codes[rows[k]!]!;
      if (code >= 0) counts[code]!++;
    }
    if (definition.kind === 'frequency') {
      const frequency: Record<string, number> = {};
      levels.forEach((value, code) => {
        if (counts[code]! > 0) frequency[value] = counts[code]! / rows.length;
      });
      learned[definition.name] = { frequency };
    } else {
      const seen = levels
        .map((value, code) => ({ value, count: counts[code]! }))
        .filter((entry) => entry.count > 0)
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
      learned[definition.name] = {
        categories: seen.slice(0, definition.maxCategories).map((entry) => entry.value),
      };
    }
  }
  const fitted: FittedParameters = { rows: rows.length, fraudRate, features: learned };
  return new FeatureSet({ ...spec, fitted });
}
