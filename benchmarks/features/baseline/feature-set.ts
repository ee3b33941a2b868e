import { parseOptions } from '@mlsd/core';
import { Calendar, SECONDS_PER_DAY } from './calendar.js';
import { EntityWindows } from './entity-windows.js';
import {
  type FeatureSpec,
  type FeatureSpecInput,
  FeatureSpecSchema,
  type TransactionColumns,
} from './feature-spec.js';
import { ColumnFeature, NightFeature, type RowFeature, WeekendFeature } from './row-features.js';
import { SlidingWindow } from './sliding-window.js';
import { WindowAggregate } from './window-aggregate.js';

/** A {@link RowFeature} and its column in the feature vector. */
export interface PlacedRowFeature {
  readonly feature: RowFeature;
  readonly output: number;
}

/**
 * A validated, compiled list of features: the one definition that both
 * {@link computeFeatures} (batch) and {@link OnlineFeatureState} (online) evaluate. Row
 * features are functions of one transaction; window aggregates are grouped by entity column
 * into {@link EntityWindows}.
 */
export class FeatureSet {
  /** The spec it was built from, defaults filled in (plain JSON). */
  readonly spec: FeatureSpec;
  /** Output names, in output order. */
  readonly names: readonly string[];
  /** Input column names. */
  readonly columns: Readonly<TransactionColumns>;
  /** Reads weekday and hour from the time column. */
  readonly calendar: Calendar;
  /** Features of a transaction alone. */
  readonly rowFeatures: readonly PlacedRowFeature[];
  /** Window aggregates, one group per entity column, in order of first use. */
  readonly entities: readonly EntityWindows[];
  /** True when some feature reads fraud labels (the label column is then required). */
  readonly usesLabels: boolean;

  /** @throws InvalidArgumentError naming every problem of the spec. */
  constructor(spec: FeatureSpecInput) {
    const parsed = parseOptions(FeatureSpecSchema, spec, 'FeatureSet spec');
    const calendar = new Calendar(parsed.origin);
    const rowFeatures: PlacedRowFeature[] = [];
    const byEntity = new Map<string, { aggregates: WindowAggregate[]; outputs: number[] }>();
    parsed.features.forEach((definition, output) => {
      switch (definition.kind) {
        case 'column':
          rowFeatures.push({
            feature: new ColumnFeature(definition.name, definition.column),
            output,
          });
          break;
        case 'weekend':
          rowFeatures.push({ feature: new WeekendFeature(definition.name, calendar), output });
          break;
        case 'night':
          rowFeatures.push({
            feature: new NightFeature(definition.name, calendar, definition.lastHour),
            output,
          });
          break;
        case 'window': {
          const window = new SlidingWindow(
            definition.windowDays * SECONDS_PER_DAY,
            definition.delayDays * SECONDS_PER_DAY,
          );
          const group = byEntity.get(definition.entity) ?? { aggregates: [], outputs: [] };
          byEntity.set(definition.entity, group);
          group.aggregates.push(
            new WindowAggregate(definition.name, definition.entity, window, definition.aggregate),
          );
          group.outputs.push(output);
          break;
        }
      }
    });
    this.spec = parsed;
    this.names = Object.freeze(parsed.features.map((feature) => feature.name));
    this.columns = Object.freeze({ ...parsed.columns });
    this.calendar = calendar;
    this.rowFeatures = Object.freeze(rowFeatures);
    this.entities = Object.freeze(
      [...byEntity].map(
        ([entity, group]) => new EntityWindows(entity, group.aggregates, group.outputs),
      ),
    );
    this.usesLabels = this.entities.some((entity) => entity.usesLabels);
  }

  /** The spec as JSON (what `new FeatureSet(json)` reads back). */
  toJSON(): FeatureSpec {
    return this.spec;
  }
}
