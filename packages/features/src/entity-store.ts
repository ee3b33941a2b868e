import { CategoryDictionary } from './category-dictionary.js';
import { EntityEvents } from './entity-events.js';
import type { EntityEvaluator, EntityPlan } from './entity-plan.js';
import { EventArena } from './event-arena.js';
import { NO_EVENTS } from './event-columns.js';
import type { HeldTransactions } from './held-transactions.js';

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
  /** Entities by last update, least recent first: the sweep looks only at the head. */
  #oldest: EntityEvents | undefined;
  #newest: EntityEvents | undefined;

  readonly #held: HeldTransactions;
  readonly #index: number;
  /** Called for each event the store lets go (one function for the store's life). */
  readonly #forgetPosition: (position: number) => void;

  /**
   * @param held - the state's held transactions, told when this store lets one go.
   * @param index - this plan's position among the feature set's entity plans.
   */
  constructor(
    plan: EntityPlan,
    prior: number,
    allowedLatenessSeconds: number,
    held: HeldTransactions,
    index: number,
  ) {
    this.#held = held;
    this.#index = index;
    this.#forgetPosition = (position) => {
      const arena = this.#arena;
      for (let c = 0; c < this.#dictionaries.length; c++) {
        this.#dictionaries[c]!.release(arena.codes[c]![position]!);
      }
      this.#events--;
      const slot = arena.heldSlots[position]!;
      if (slot >= 0) this.#held.release(slot, this.#index, arena.transactionIds[position]!);
    };
    this.plan = plan;
    this.evaluator = plan.createEvaluator(prior);
    this.keepSeconds = plan.spanSeconds + allowedLatenessSeconds;
    this.#arena = new EventArena(plan.layout, plan.squaredFields);
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
   * when the caller already looked them up (undefined: looked up here, created when new);
   * `heldSlot` is the transaction's slot among the held transactions (−1: none).
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
    heldSlot: number,
  ): void {
    let entity = found ?? this.#entities.get(key);
    if (entity === undefined) {
      entity = new EntityEvents(this.#arena, key);
      this.#entities.set(key, entity);
    } else this.#unlink(entity);
    this.#append(entity);
    const newest = entity.newest;
    const codes = this.#codes;
    for (let c = 0; c < codes.length; c++) {
      codes[c] = this.#dictionaries[c]!.acquire(categories[c]!);
    }
    const position = entity.insert(
      entity.insertionPoint(time),
      transactionId,
      heldSlot,
      time,
      label,
      labelTime,
      values,
      codes,
    );
    this.#events++;
    this.#evaluate(entity, position, time, out);
    entity.forgetUntil(newest - this.keepSeconds, this.#forgetPosition);
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
   * Forgets entities whose newest event is at least `keepSeconds` older than `horizon` (the
   * newest time the state has accepted): a transaction within the allowed lateness of that time
   * cannot reach their events, so forgetting them changes no value. Only the least recently
   * updated entities are looked at, so the cost follows the entities forgotten. (An entity
   * updated late, within the lateness, may wait behind a more recent one for a while.)
   */
  sweep(horizon: number): void {
    const cutoff = horizon - this.keepSeconds;
    for (let entity = this.#oldest; entity !== undefined && entity.newest <= cutoff; ) {
      const next = entity.newer;
      entity.forgetUntil(Number.POSITIVE_INFINITY, this.#forgetPosition);
      entity.release();
      this.#unlink(entity);
      this.#entities.delete(entity.key);
      entity = next;
    }
  }

  #unlink(entity: EntityEvents): void {
    if (entity.older === undefined) this.#oldest = entity.newer;
    else entity.older.newer = entity.newer;
    if (entity.newer === undefined) this.#newest = entity.older;
    else entity.newer.older = entity.older;
    entity.older = undefined;
    entity.newer = undefined;
  }

  #append(entity: EntityEvents): void {
    entity.older = this.#newest;
    if (this.#newest === undefined) this.#oldest = entity;
    else this.#newest.newer = entity;
    this.#newest = entity;
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
   * Restores one entity from {@link EntityStore.toSnapshot}'s arrays (events in order);
   * `slotOf` gives each transaction's slot among the held transactions.
   */
  restore(snapshot: EntitySnapshot, slotOf: (transactionId: string) => number): void {
    const entity = new EntityEvents(this.#arena, snapshot.key, snapshot.times.length);
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
        slotOf(snapshot.transactionIds[k]!),
        snapshot.times[k]!,
        snapshot.labels[k] ?? 0,
        decodeTime(snapshot.labelTimes[k] ?? '+inf'),
        values,
        codes,
      );
      this.#events++;
    }
    this.#entities.set(snapshot.key, entity);
    this.#append(entity);
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
