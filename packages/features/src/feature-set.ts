import { NotFittedError } from '@mlsd/core';
import { EntityPlan, type PlacedEntityFeature } from './entity-plan.js';
import {
  type FeatureSpec,
  type FeatureSpecInput,
  resolveFeatureSpec,
  type SpecColumns,
} from './feature-spec.js';
import { DEFAULT_PRECISION, fixedPointScale } from './fixed-point.js';
import {
  CalendarFeature,
  FrequencyFeature,
  GeoDistanceFeature,
  NumericFeature,
  OneHotFeature,
  type RowFeature,
} from './row-features.js';
import { ZonedCalendar } from './zoned-calendar.js';

/**
 * A FeatureSpec compiled for evaluation: the one definition that the batch evaluator
 * (`computeFeatures`), the in-process online state (`OnlineFeatureState`) and the Redis store
 * all evaluate. Row features are functions of one transaction; the others are grouped by entity
 * ({@link EntityPlan}), each entity with the declared layout of its stored events.
 *
 * Features that learn from training rows (`frequency`, `one-hot`, smoothed `risk` and
 * `target-encoding`) need the spec's `fitted` parameters: build the set, then `fitFeatureSet`
 * it on the training rows (or load a spec saved after fitting).
 */
export class FeatureSet {
  /** The resolved spec (every default filled in; with `fitted` once fitted): plain JSON. */
  readonly spec: FeatureSpec;
  /** Column names of the normalized table. */
  readonly columns: Readonly<SpecColumns>;
  /** Local hour and day of week of event times. */
  readonly calendar: ZonedCalendar;
  /** Features of a transaction alone, in output order. */
  readonly rowFeatures: readonly RowFeature[];
  /** Entities with state, in order of first use. */
  readonly entities: readonly EntityPlan[];
  /** True when some feature reads fraud labels. */
  readonly readsLabels: boolean;
  /** True when some feature needs fitted parameters. */
  readonly needsFitting: boolean;
  /** The fitted fraud rate (NaN before fitting or when no feature needs it). */
  readonly prior: number;
  /** Longest reach into the past of any entity, seconds. */
  readonly spanSeconds: number;
  readonly #names: readonly string[];
  readonly #namesKnown: boolean;

  /** @throws InvalidArgumentError naming the key path of every problem of the spec. */
  constructor(spec: FeatureSpecInput | FeatureSpec) {
    const resolved = resolveFeatureSpec(spec);
    const fitted = resolved.fitted;
    this.spec = resolved;
    this.columns = Object.freeze({ ...resolved.columns });
    this.calendar = new ZonedCalendar(resolved.timezone, resolved.timeOrigin);
    this.needsFitting = resolved.features.some(
      (feature) =>
        feature.kind === 'frequency' ||
        feature.kind === 'one-hot' ||
        ((feature.kind === 'risk' || feature.kind === 'target-encoding') && feature.smoothing > 0),
    );
    this.prior = fitted?.fraudRate ?? Number.NaN;

    const rowFeatures: RowFeature[] = [];
    const byEntity = new Map<string, { columns: string[]; features: PlacedEntityFeature[] }>();
    const entityOf = (name: string, columns: readonly string[]) => {
      let group = byEntity.get(name);
      if (group === undefined) {
        group = { columns: [...columns], features: [] };
        byEntity.set(name, group);
      }
      return group;
    };
    const names: string[] = [];
    for (const definition of resolved.features) {
      const output = names.length;
      let row: RowFeature | undefined;
      switch (definition.kind) {
        case 'numeric':
          row = new NumericFeature(definition.name, output, definition.column, definition.fill);
          break;
        case 'hour':
        case 'day-of-week':
        case 'weekend':
          row = new CalendarFeature(definition.name, output, this.calendar, definition.kind);
          break;
        case 'night':
          row = new CalendarFeature(
            definition.name,
            output,
            this.calendar,
            'night',
            definition.lastHour,
          );
          break;
        case 'frequency': {
          const learned = fitted?.features[definition.name];
          row = new FrequencyFeature(
            definition.name,
            output,
            definition.column,
            learned !== undefined && 'frequency' in learned ? learned.frequency : {},
          );
          break;
        }
        case 'one-hot': {
          const learned = fitted?.features[definition.name];
          row = new OneHotFeature(
            definition.name,
            output,
            definition.column,
            learned !== undefined && 'categories' in learned ? learned.categories : [],
          );
          break;
        }
        case 'geo-distance':
          row = new GeoDistanceFeature(definition.name, output, definition.from, definition.to);
          break;
        case 'target-encoding': {
          // The category column is the entity; a declared entity over exactly it shares state.
          const declared = resolved.entities.find(
            (entity) => entity.columns.length === 1 && entity.columns[0] === definition.column,
          );
          const name =
            declared?.name ??
            (resolved.entities.some((entity) => entity.name === definition.column)
              ? `${definition.column}.value`
              : definition.column);
          entityOf(name, [definition.column]).features.push({ output, definition });
          names.push(definition.name);
          break;
        }
        default: {
          const declared = resolved.entities.find((entity) => entity.name === definition.entity)!;
          entityOf(declared.name, declared.columns).features.push({ output, definition });
          names.push(definition.name);
        }
      }
      if (row !== undefined) {
        rowFeatures.push(row);
        names.push(...row.names);
      }
    }
    const scaleOf = (column: string): number =>
      fixedPointScale(resolved.precision[column] ?? DEFAULT_PRECISION);
    this.rowFeatures = Object.freeze(rowFeatures);
    this.entities = Object.freeze(
      [...byEntity].map(
        ([name, group]) => new EntityPlan(name, group.columns, group.features, scaleOf),
      ),
    );
    this.readsLabels = this.entities.some((entity) => entity.readsLabels);
    this.spanSeconds = Math.max(0, ...this.entities.map((entity) => entity.spanSeconds));
    this.#names = Object.freeze(names);
    this.#namesKnown =
      fitted !== undefined || !resolved.features.some((feature) => feature.kind === 'one-hot');
  }

  /** True when every parameter the features need is fitted (or none is needed). */
  get isFitted(): boolean {
    return !this.needsFitting || this.spec.fitted !== undefined;
  }

  /**
   * Output names, in output order (a one-hot feature contributes one per fitted category and
   * `<name>=other`).
   * @throws NotFittedError when one-hot vocabularies are not fitted yet.
   */
  get names(): readonly string[] {
    if (!this.#namesKnown) this.assertFitted('names');
    return this.#names;
  }

  /** @throws NotFittedError unless {@link FeatureSet.isFitted}. */
  assertFitted(what: string): void {
    if (!this.isFitted)
      throw new NotFittedError(
        'FeatureSet',
        `${what}; fit it with fitFeatureSet(features, table) first`,
      );
  }

  /** The resolved spec as JSON (what `new FeatureSet(json)` reads back). */
  toJSON(): FeatureSpec {
    return this.spec;
  }
}
