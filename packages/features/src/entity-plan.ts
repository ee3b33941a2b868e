import { DistinctAccumulator } from './accumulators/distinct-accumulator.js';
import { ExtremumAccumulator } from './accumulators/extremum-accumulator.js';
import { FraudAccumulator } from './accumulators/fraud-accumulator.js';
import { MomentsAccumulator } from './accumulators/moments-accumulator.js';
import {
  CountFeature,
  DistinctFeature,
  type EntityFeature,
  ExtremumFeature,
  MomentFeature,
  RelativeFeature,
  RiskFeature,
  TimeSincePreviousFeature,
} from './entity-features.js';
import type { EventColumns } from './event-columns.js';
import { EventLayout } from './event-layout.js';
import type { FeatureDefinition } from './feature-spec.js';
import { Window } from './window.js';
import { SECONDS_PER_DAY } from './zoned-calendar.js';

/** A feature definition read through an entity's state. */
export type EntityFeatureDefinition = Extract<
  FeatureDefinition,
  {
    kind:
      | 'window'
      | 'distinct'
      | 'time-since-previous'
      | 'amount-relative'
      | 'risk'
      | 'target-encoding';
  }
>;

/** One entity feature and its column in the feature vector. */
export interface PlacedEntityFeature {
  output: number;
  definition: EntityFeatureDefinition;
}

/**
 * Everything about one entity the evaluators and stores need, compiled from the spec: its key
 * columns, the features read through it, the {@link EventLayout} of its stored events, and how
 * far back an event can matter (`spanSeconds`).
 */
export class EntityPlan {
  /** Entity name (a declared entity, or `<column>` for a target encoding's implicit one). */
  readonly name: string;
  /** Key columns; the key is their values together. */
  readonly columns: readonly string[];
  /** The features of this entity, in spec order. */
  readonly features: readonly PlacedEntityFeature[];
  /** The fields each stored event keeps. */
  readonly layout: EventLayout;
  /** Longest reach into the past of any of its features, seconds (window + delay, or cap). */
  readonly spanSeconds: number;
  /** True when some feature reads labels. */
  readonly readsLabels: boolean;
  /** Per value field of the layout: true when a std or z-score reads its sum of squares. */
  readonly squaredFields: readonly boolean[];

  /** @param scaleOf - fixed-point scale (10^precision) of a value column. */
  constructor(
    name: string,
    columns: readonly string[],
    features: readonly PlacedEntityFeature[],
    scaleOf: (column: string) => number,
  ) {
    this.name = name;
    this.columns = [...columns];
    this.features = [...features];
    const values: string[] = [];
    const categories: string[] = [];
    let span = 0;
    let readsLabels = false;
    for (const { definition } of features) {
      switch (definition.kind) {
        case 'window':
        case 'amount-relative':
          if (definition.kind === 'amount-relative' || definition.aggregate !== 'count') {
            if (!values.includes(definition.of)) values.push(definition.of);
          }
          break;
        case 'distinct':
          if (!categories.includes(definition.of)) categories.push(definition.of);
          break;
        case 'risk':
        case 'target-encoding':
          readsLabels = true;
          break;
        default:
          break;
      }
      span = Math.max(span, reachDays(definition) * SECONDS_PER_DAY);
    }
    this.layout = new EventLayout(
      name,
      readsLabels,
      values.map((column) => ({ column, scale: scaleOf(column) })),
      categories,
    );
    this.spanSeconds = span;
    this.readsLabels = readsLabels;
    this.squaredFields = values.map((column) =>
      features.some(
        ({ definition }) =>
          ((definition.kind === 'window' && definition.aggregate === 'std') ||
            (definition.kind === 'amount-relative' && definition.relative === 'z-score')) &&
          definition.of === column,
      ),
    );
  }

  /**
   * Fresh windows, accumulators and feature readers for this entity; each evaluator (one per
   * batch run, one per online store) owns its own.
   * @param prior - the fitted fraud rate, for smoothed risk (NaN when not fitted).
   */
  createEvaluator(prior: number): EntityEvaluator {
    return new EntityEvaluator(this, prior);
  }
}

/** Days into the past a feature can reach. */
function reachDays(definition: EntityFeatureDefinition): number {
  switch (definition.kind) {
    case 'time-since-previous':
      return definition.capDays;
    case 'amount-relative':
      return definition.windowDays;
    default:
      return definition.windowDays + definition.delayDays;
  }
}

/**
 * The runtime of one {@link EntityPlan}: its distinct windows (features over the same events
 * share one), their accumulators, and the feature readers. Batch slides it along an entity's
 * events; online rebuilds it around one transaction.
 */
export class EntityEvaluator {
  readonly plan: EntityPlan;
  readonly windows: readonly Window[];
  readonly features: readonly EntityFeature[];
  /** Windows that count labels, with their fraud accumulators (batch label arrivals). */
  readonly labelWindows: readonly { window: Window; fraud: FraudAccumulator }[];

  constructor(plan: EntityPlan, prior: number) {
    this.plan = plan;
    const layout = plan.layout;
    const windows: Window[] = [];
    const accumulators = new Map<string, unknown>();
    const labelWindows: { window: Window; fraud: FraudAccumulator }[] = [];
    const windowFor = (days: number, delayDays: number, includeSelf: boolean): Window => {
      const length = days * SECONDS_PER_DAY;
      const delay = delayDays * SECONDS_PER_DAY;
      let window = windows.find((w) => w.sameAs(length, delay, includeSelf));
      if (window === undefined) {
        window = new Window(length, delay, includeSelf);
        windows.push(window);
      }
      return window;
    };
    const shared = <A>(window: Window, key: string, create: () => A): A => {
      const id = `${windows.indexOf(window)}:${key}`;
      let accumulator = accumulators.get(id) as A | undefined;
      if (accumulator === undefined) {
        accumulator = create();
        accumulators.set(id, accumulator);
      }
      return accumulator;
    };
    // A sum of squares is kept only where a std or z-score reads it.
    const squares = new Set<string>();
    for (const { definition } of plan.features) {
      const needs =
        (definition.kind === 'window' && definition.aggregate === 'std') ||
        (definition.kind === 'amount-relative' && definition.relative === 'z-score');
      if (!needs) continue;
      const window =
        definition.kind === 'window'
          ? windowFor(definition.windowDays, definition.delayDays, true)
          : windowFor(definition.windowDays, 0, false);
      squares.add(`${windows.indexOf(window)}:${definition.of}`);
    }
    const moments = (window: Window, column: string): MomentsAccumulator => {
      const field = layout.valueColumns.indexOf(column);
      const withSquares = squares.has(`${windows.indexOf(window)}:${column}`);
      return shared(window, `moments:${column}`, () =>
        window.attach(new MomentsAccumulator(field, withSquares)),
      );
    };

    this.features = plan.features.map(({ output, definition }): EntityFeature => {
      switch (definition.kind) {
        case 'window': {
          const window = windowFor(definition.windowDays, definition.delayDays, true);
          const field = layout.valueColumns.indexOf(definition.of);
          const scale = field < 0 ? 1 : layout.valueScales[field]!;
          switch (definition.aggregate) {
            case 'count':
              return new CountFeature(output, window);
            case 'sum':
            case 'mean':
            case 'std':
              return new MomentFeature(
                output,
                window,
                moments(window, definition.of),
                scale,
                definition.aggregate,
              );
            case 'min':
            case 'max': {
              const kind = definition.aggregate;
              const extremum = shared(window, `${kind}:${definition.of}`, () =>
                window.attach(new ExtremumAccumulator(field, kind)),
              );
              return new ExtremumFeature(output, extremum, scale);
            }
          }
          break;
        }
        case 'distinct': {
          const window = windowFor(definition.windowDays, definition.delayDays, true);
          const field = layout.categoryColumns.indexOf(definition.of);
          const distinct = shared(window, `distinct:${definition.of}`, () =>
            window.attach(new DistinctAccumulator(field)),
          );
          return new DistinctFeature(output, distinct);
        }
        case 'time-since-previous':
          return new TimeSincePreviousFeature(output, definition.capDays * SECONDS_PER_DAY);
        case 'amount-relative': {
          const window = windowFor(definition.windowDays, 0, false);
          return new RelativeFeature(
            output,
            window,
            moments(window, definition.of),
            layout.valueColumns.indexOf(definition.of),
            definition.relative,
          );
        }
        case 'risk':
        case 'target-encoding': {
          const window = windowFor(definition.windowDays, definition.delayDays, false);
          const fraud = shared(window, 'fraud', () => {
            const accumulator = window.attach(new FraudAccumulator());
            labelWindows.push({ window, fraud: accumulator });
            return accumulator;
          });
          return new RiskFeature(output, window, fraud, definition.smoothing, prior);
        }
      }
      throw new Error(`unreachable: ${JSON.stringify(definition)}`);
    });
    this.windows = windows;
    this.labelWindows = labelWindows;
  }

  /** Empties every window; the entity's first event will be at `position` (batch). */
  resetAt(position: number): void {
    for (const window of this.windows) window.resetAt(position);
  }

  /** Slides every window to the transaction at `self` (batch). */
  slide(events: EventColumns, self: number, time: number): void {
    const windows = this.windows;
    for (let w = 0; w < windows.length; w++) windows[w]!.slide(events, self, time);
  }

  /** Fills every window around the transaction at `self` from the events `first …` (online). */
  rebuild(events: EventColumns, first: number, self: number, time: number): void {
    const windows = this.windows;
    for (let w = 0; w < windows.length; w++) windows[w]!.rebuild(events, first, self, time);
  }

  /** Empties every window (a transaction without this entity's key). */
  clear(): void {
    for (const window of this.windows) window.clear();
  }

  /** Writes every feature's value at `out[offset + its output]`. */
  write(
    out: Float64Array | Float32Array,
    offset: number,
    events: EventColumns,
    first: number,
    self: number,
    time: number,
  ): void {
    const features = this.features;
    for (let f = 0; f < features.length; f++) {
      const feature = features[f]!;
      out[offset + feature.output] = feature.read(events, first, self, time);
    }
  }
}
