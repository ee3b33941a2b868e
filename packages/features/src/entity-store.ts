import { CategoryDictionary } from './category-dictionary.js';
import { EntityEvents } from './entity-events.js';
import type { EntityEvaluator, EntityPlan } from './entity-plan.js';
import { EventArena } from './event-arena.js';
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
 * The in-process state of one entity plan: each live entity's events ({@link EntityEvents}, a
 * block of the plan's {@link EventArena}) by key, and the plan's evaluator that rebuilds the
 * entity's windows around a transaction (additive aggregates from running totals in O(log n),
 * min, max and distinct from the window's events). An entity keeps the events a later
 * transaction can still reach: those within `keepSeconds` (the plan's span plus the allowed
 * lateness) of its previous newest event.
 */
export class EntityStore {
  readonly plan: EntityPlan;
  readonly evaluator: EntityEvaluator;
  /** Seconds of history kept behind an entity's newest event. */
  readonly keepSeconds: number;
  readonly #entities = new Map<string, EntityEvents>();
  readonly #arena: EventArena;
  readonly #dictionaries: CategoryDictionary[];
  readonly #codes: Int32Array;
  #events = 0;
  /** The sweep in progress (entities still to look at), if any. */
  #sweeping: Iterator<[string, EntityEvents]> | undefined;
  #sweepCutoff = 0;

  constructor(plan: EntityPlan, prior: number, allowedLatenessSeconds: number) {
    this.plan = plan;
    this.evaluator = plan.createEvaluator(prior);
    this.keepSeconds = plan.spanSeconds + allowedLatenessSeconds;
    this.#arena = new EventArena(plan.layout);
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
      entity = new EntityEvents(this.#arena);
      this.#entities.set(key, entity);
    }
    const newest = entity.newest;
    const codes = this.#codes;
    for (let c = 0; c < codes.length; c++) {
      codes[c] = this.#dictionaries[c]!.acquire(categories[c]!);
    }
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
    this.#evaluate(entity, position, time, out);
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
    this.#evaluate(entity, position, this.#arena.times[position]!, out);
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
    entity.setLabel(position, label, labelTime);
    return true;
  }

  /**
   * Starts a sweep: entities whose newest event is at least `keepSeconds` older than `horizon`
   * (the newest time the state has accepted) are dropped by the next
   * {@link EntityStore.sweepSome} calls. A transaction within the allowed lateness of that time
   * cannot reach their events, so forgetting them changes no value.
   */
  startSweep(horizon: number): void {
    this.#sweeping = this.#entities.entries();
    this.#sweepCutoff = horizon - this.keepSeconds;
  }

  /**
   * Looks at up to `budget` entities of the sweep in progress (so no single update pays for a
   * sweep of every entity); returns true when no sweep is in progress any more.
   */
  sweepSome(budget: number, forget: (transactionId: string) => void): boolean {
    const sweeping = this.#sweeping;
    if (sweeping === undefined) return true;
    for (let k = 0; k < budget; k++) {
      const next = sweeping.next();
      if (next.done === true) {
        this.#sweeping = undefined;
        return true;
      }
      const [key, entity] = next.value;
      if (entity.newest > this.#sweepCutoff) continue;
      this.#forgetUntil(entity, Number.POSITIVE_INFINITY, forget);
      entity.release();
      this.#entities.delete(key);
    }
    return false;
  }

  #evaluate(
    entity: EntityEvents,
    position: number,
    time: number,
    out: Float64Array | Float32Array,
  ): void {
    const events = entity.view();
    this.evaluator.rebuild(events, entity.first, position, time);
    this.evaluator.write(out, 0, events, entity.first, position, time);
  }

  #forgetUntil(entity: EntityEvents, cutoff: number, forget: (id: string) => void): void {
    const arena = this.#arena;
    entity.forgetUntil(cutoff, (position) => {
      for (let c = 0; c < this.#dictionaries.length; c++) {
        this.#dictionaries[c]!.release(arena.codes[c]![position]!);
      }
      this.#events--;
      forget(arena.transactionIds[position]!);
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

  /** Event positions held by the entities' blocks (≥ events). */
  get capacity(): number {
    return this.#arena.allocated;
  }

  /** Bytes of the arena's columns (not the keys). */
  get bytes(): number {
    return this.#arena.bytes;
  }

  /** Every entity's events as plain arrays, entities in insertion order. */
  toSnapshot(): EntitySnapshot[] {
    const layout = this.plan.layout;
    const arena = this.#arena;
    const out: EntitySnapshot[] = [];
    for (const [key, entity] of this.#entities) {
      const range = <T>(read: (p: number) => T): T[] => {
        const values: T[] = [];
        for (let p = entity.first; p < entity.end; p++) values.push(read(p));
        return values;
      };
      out.push({
        key,
        transactionIds: range((p) => arena.transactionIds[p]!),
        times: range((p) => arena.times[p]!),
        labels: layout.labels ? range((p) => arena.labels[p]!) : [],
        labelTimes: layout.labels ? range((p) => encodeTime(arena.labelTimes[p]!)) : [],
        values: arena.values.map((column) => range((p) => column[p]!)),
        categories: arena.codes.map((column, c) =>
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
    const entity = new EntityEvents(this.#arena, snapshot.times.length);
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
