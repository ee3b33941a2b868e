import { CategoryDictionary } from './category-dictionary.js';
import { EntityEvents } from './entity-events.js';
import type { EntityEvaluator, EntityPlan } from './entity-plan.js';
import { NO_EVENTS } from './event-columns.js';

/** One entity's events as plain arrays (see {@link EntityStore.toSnapshot}). */
export interface EntitySnapshot {
  key: string;
  transactionIds: string[];
  times: number[];
  labels: number[];
  /** Label times; `'-inf'` known with the event, `'+inf'` not known yet (JSON has no infinities). */
  labelTimes: (number | '-inf' | '+inf')[];
  values: number[][];
  categories: (string | null)[][];
}

/**
 * The in-process state of one entity plan: each live entity's events ({@link EntityEvents},
 * typed arrays) by key, and the plan's evaluator that rebuilds the entity's windows around a
 * transaction. An entity keeps the events a later transaction can still reach: those within
 * `keepSeconds` (the plan's span plus the allowed lateness) of its newest event.
 */
export class EntityStore {
  readonly plan: EntityPlan;
  readonly evaluator: EntityEvaluator;
  /** Seconds of history kept behind an entity's newest event. */
  readonly keepSeconds: number;
  readonly #entities = new Map<string, EntityEvents>();
  readonly #dictionaries: CategoryDictionary[];
  readonly #codes: Int32Array;
  #events = 0;

  constructor(plan: EntityPlan, prior: number, allowedLatenessSeconds: number) {
    this.plan = plan;
    this.evaluator = plan.createEvaluator(prior);
    this.keepSeconds = plan.spanSeconds + allowedLatenessSeconds;
    this.#dictionaries = plan.layout.categoryColumns.map(() => new CategoryDictionary());
    this.#codes = new Int32Array(plan.layout.categoryColumns.length);
  }

  /** The entity's events, if it has any. */
  get(key: string): EntityEvents | undefined {
    return this.#entities.get(key);
  }

  /**
   * Records an event of entity `key` in time order and writes the entity's features for it into
   * `out`; then forgets events no later transaction can reach. `found` is the entity's events
   * when the caller already looked them up (undefined: looked up here, created when new).
   * `forget` hears of each transaction this entity lets go.
   */
  add(
    found: EntityEvents | undefined,
    key: string,
    transactionId: string,
    time: number,
    label: number,
    labelTime: number,
    values: ArrayLike<number>,
    categories: readonly (string | null)[],
    out: Float64Array | Float32Array,
    forget: (transactionId: string) => void,
  ): void {
    let entity = found ?? this.#entities.get(key);
    if (entity === undefined) {
      entity = new EntityEvents(this.plan.layout);
      this.#entities.set(key, entity);
    }
    const newest = entity.newest;
    const codes = this.#codes;
    for (let c = 0; c < codes.length; c++)
      codes[c] = this.#dictionaries[c]!.acquire(categories[c]!);
    const position = entity.insert(
      entity.insertionPoint(time),
      transactionId,
      time,
      label,
      labelTime,
      values,
      codes,
    );
    this.#events++;
    this.evaluator.rebuild(entity, entity.first, position, time);
    this.evaluator.write(out, 0, entity, entity.first, position, time);
    this.#forgetUntil(entity, newest - this.keepSeconds, forget);
  }

  /**
   * Writes the features of a transaction the entity already holds (a repeated request) into
   * `out`, computed at its own position; false when the entity does not hold it.
   */
  evaluateHeld(key: string, transactionId: string, out: Float64Array | Float32Array): boolean {
    const entity = this.#entities.get(key);
    const position = entity?.positionOf(transactionId) ?? -1;
    if (entity === undefined || position < 0) return false;
    const time = entity.times[position]!;
    this.evaluator.rebuild(entity, entity.first, position, time);
    this.evaluator.write(out, 0, entity, entity.first, position, time);
    return true;
  }

  /** Writes the features of a transaction without this entity's key (empty windows). */
  writeEmpty(out: Float64Array | Float32Array, time: number): void {
    this.evaluator.clear();
    this.evaluator.write(out, 0, NO_EVENTS, 0, 0, time);
  }

  /** Sets the label of a held transaction; false when the entity does not hold it. */
  setLabel(key: string, transactionId: string, label: number, labelTime: number): boolean {
    const entity = this.#entities.get(key);
    const position = entity?.positionOf(transactionId) ?? -1;
    if (entity === undefined || position < 0 || !this.plan.layout.labels) return false;
    entity.labels[position] = label;
    entity.labelTimes[position] = labelTime;
    return true;
  }

  /**
   * Drops every entity whose newest event is at least `keepSeconds` older than `horizon` (the
   * newest time the state has accepted): a transaction within the allowed lateness of that time
   * cannot reach their events, so forgetting them changes no value.
   */
  sweep(horizon: number, forget: (transactionId: string) => void): void {
    const cutoff = horizon - this.keepSeconds;
    for (const [key, entity] of this.#entities) {
      if (entity.newest > cutoff) continue;
      this.#forgetUntil(entity, Number.POSITIVE_INFINITY, forget);
      this.#entities.delete(key);
    }
  }

  #forgetUntil(entity: EntityEvents, cutoff: number, forget: (id: string) => void): void {
    entity.forgetUntil(cutoff, (position) => {
      for (let c = 0; c < this.#dictionaries.length; c++) {
        this.#dictionaries[c]!.release(entity.codes[c]![position]!);
      }
      this.#events--;
      forget(entity.transactionIds[position]!);
    });
  }

  /** Live entities. */
  get entityCount(): number {
    return this.#entities.size;
  }

  /** Live events. */
  get eventCount(): number {
    return this.#events;
  }

  /** Allocated event slots. */
  get capacity(): number {
    let capacity = 0;
    for (const entity of this.#entities.values()) capacity += entity.capacity;
    return capacity;
  }

  /** Rough bytes of the typed-array columns (not keys and ids). */
  get bytes(): number {
    const layout = this.plan.layout;
    const perEvent =
      8 +
      (layout.labels ? 9 : 0) +
      8 * layout.valueColumns.length +
      4 * layout.categoryColumns.length;
    return this.capacity * perEvent;
  }

  /** Every entity's events as plain arrays, entities in insertion order. */
  toSnapshot(): EntitySnapshot[] {
    const layout = this.plan.layout;
    const out: EntitySnapshot[] = [];
    for (const [key, entity] of this.#entities) {
      const range = <T>(read: (p: number) => T): T[] => {
        const values: T[] = [];
        for (let p = entity.first; p < entity.end; p++) values.push(read(p));
        return values;
      };
      out.push({
        key,
        transactionIds: range((p) => entity.transactionIds[p]!),
        times: range((p) => entity.times[p]!),
        labels: layout.labels ? range((p) => entity.labels[p]!) : [],
        labelTimes: layout.labels ? range((p) => encodeTime(entity.labelTimes[p]!)) : [],
        values: entity.values.map((column) => range((p) => column[p]!)),
        categories: entity.codes.map((column, c) =>
          range((p) => this.#dictionaries[c]!.value(column[p]!)),
        ),
      });
    }
    return out;
  }

  /**
   * Restores one entity from {@link EntityStore.toSnapshot}'s arrays (events in order).
   * `hold` hears of each transaction the entity holds.
   */
  restore(snapshot: EntitySnapshot, hold: (transactionId: string) => void): void {
    const entity = new EntityEvents(this.plan.layout, Math.max(4, snapshot.times.length));
    const codes = this.#codes;
    const values = new Float64Array(this.plan.layout.valueColumns.length);
    for (let k = 0; k < snapshot.times.length; k++) {
      for (let v = 0; v < values.length; v++) values[v] = snapshot.values[v]![k]!;
      for (let c = 0; c < codes.length; c++) {
        codes[c] = this.#dictionaries[c]!.acquire(snapshot.categories[c]![k] ?? null);
      }
      entity.insert(
        entity.end,
        snapshot.transactionIds[k]!,
        snapshot.times[k]!,
        snapshot.labels[k] ?? 0,
        decodeTime(snapshot.labelTimes[k] ?? '+inf'),
        values,
        codes,
      );
      this.#events++;
      hold(snapshot.transactionIds[k]!);
    }
    this.#entities.set(snapshot.key, entity);
  }
}

function encodeTime(time: number): number | '-inf' | '+inf' {
  return time === Number.NEGATIVE_INFINITY
    ? '-inf'
    : time === Number.POSITIVE_INFINITY
      ? '+inf'
      : time;
}

function decodeTime(time: number | '-inf' | '+inf'): number {
  return time === '-inf'
    ? Number.NEGATIVE_INFINITY
    : time === '+inf'
      ? Number.POSITIVE_INFINITY
      : time;
}
