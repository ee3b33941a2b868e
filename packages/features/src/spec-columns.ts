import { describeWithNearest, InvalidArgumentError } from '@mlsd/core';
import type { FeatureSpec } from './feature-spec.js';

/** How a feature reads a column: as numbers or as categories (strings). */
export type ColumnRole = 'time' | 'numeric' | 'label' | 'category' | 'key' | 'id';

/** One column a spec reads, where (the key path) and how. */
export interface SpecColumnUse {
  column: string;
  /** Key path in the spec, e.g. `features[3].of`. */
  path: string;
  role: ColumnRole;
}

/**
 * Every column a resolved spec reads, with the key path that names it and how it is read
 * (numbers, categories, entity key, …). The transaction id is listed (online needs it) and the
 * label only when some feature reads labels; batch evaluation itself reads neither the id nor,
 * without label-reading features, the label.
 */
export function specColumnUses(spec: FeatureSpec): SpecColumnUse[] {
  const uses: SpecColumnUse[] = [
    { column: spec.columns.transactionId, path: 'columns.transactionId', role: 'id' },
    { column: spec.columns.time, path: 'columns.time', role: 'time' },
  ];
  const usedEntities = new Set<string>();
  let readsLabels = false;
  spec.features.forEach((feature, i) => {
    const at = `features[${i}]`;
    switch (feature.kind) {
      case 'numeric':
        uses.push({ column: feature.column, path: `${at}.column`, role: 'numeric' });
        break;
      case 'window':
      case 'amount-relative':
        usedEntities.add(feature.entity);
        uses.push({ column: feature.of, path: `${at}.of`, role: 'numeric' });
        break;
      case 'distinct':
        usedEntities.add(feature.entity);
        uses.push({ column: feature.of, path: `${at}.of`, role: 'category' });
        break;
      case 'time-since-previous':
        usedEntities.add(feature.entity);
        break;
      case 'risk':
        usedEntities.add(feature.entity);
        readsLabels = true;
        break;
      case 'target-encoding':
        readsLabels = true;
        uses.push({ column: feature.column, path: `${at}.column`, role: 'key' });
        break;
      case 'frequency':
      case 'one-hot':
        uses.push({ column: feature.column, path: `${at}.column`, role: 'category' });
        break;
      case 'geo-distance':
        uses.push(
          { column: feature.from[0], path: `${at}.from[0]`, role: 'numeric' },
          { column: feature.from[1], path: `${at}.from[1]`, role: 'numeric' },
          { column: feature.to[0], path: `${at}.to[0]`, role: 'numeric' },
          { column: feature.to[1], path: `${at}.to[1]`, role: 'numeric' },
        );
        break;
      default:
        break;
    }
  });
  spec.entities.forEach((entity, e) => {
    if (!usedEntities.has(entity.name)) return;
    entity.columns.forEach((column, c) => {
      uses.push({ column, path: `entities[${e}].columns[${c}]`, role: 'key' });
    });
  });
  if (readsLabels) {
    if (spec.columns.label !== null) {
      uses.push({ column: spec.columns.label, path: 'columns.label', role: 'label' });
    }
    if (spec.columns.labelTime !== null) {
      uses.push({ column: spec.columns.labelTime, path: 'columns.labelTime', role: 'time' });
    }
  }
  return uses;
}

/**
 * The columns a spec reads that are not among `available`, each as `<key path>: no column
 * "<name>" (did you mean "<nearest>"?)`; empty when all are there. The id column is not
 * required (batch evaluation does not read it).
 */
export function missingSpecColumns(spec: FeatureSpec, available: Iterable<string>): string[] {
  const names = [...available];
  const known = new Set(names);
  return specColumnUses(spec)
    .filter((use) => use.role !== 'id' && !known.has(use.column))
    .map((use) => `${use.path}: no column ${describeWithNearest(use.column, names)}`);
}

/**
 * Checks that every column a spec reads is among `available` (a table's or a config's columns).
 * @param where - what is being checked, for the message (e.g. `"FeatureSpec" against data.csv`).
 * @throws InvalidArgumentError listing each missing column with its key path and the nearest
 *   available name.
 */
export function checkSpecColumns(
  spec: FeatureSpec,
  available: Iterable<string>,
  where = 'FeatureSpec',
): void {
  const names = [...available];
  const problems = missingSpecColumns(spec, names);
  if (problems.length > 0) {
    throw new InvalidArgumentError(
      `${where}: ${problems.join('; ')}. Available columns: ${names.join(', ')}.`,
      { problems },
    );
  }
}
