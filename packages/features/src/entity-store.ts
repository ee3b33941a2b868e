import { InvalidArgumentError, InvalidDataError } from '@mlsd/core';
import type { EntityWindows } from './entity-windows.js';
import { EventBuffer } from './event-buffer.js';
import { IdIndex } from './id-index.js';
import { CURSOR_HI, CURSOR_LO, CURSOR_STRIDE } from './sliding-window.js';

/** The label index packs (slot, position mod 2^29) into one safe integer. */
const POSITION_RANGE = 2 ** 29;
/** Most live entities per label-using entity column (2^24 · 2^29 = 2^53). */
const MAX_LABELLED_SLOTS = 2 ** 24;

/** One entity column's online state as plain typed arrays (see {@link EntityStore.toSnapshot}). */
export interface EntityStoreSnapshot {
  /** Entity column, e.g. `'TERMINAL_ID'`. */
  entity: string;
  /** Entity ids, one per live entity. */
  ids: Float64Array;
  /** Live events of each entity. */
  counts: Int32Array;
  /** Window state of each entity (`cursorLength` numbers each), positions relative to its oldest event. */
  cursors: Float64Array;
  /** Event times of all entities, entity after entity, oldest first. */
  times: Float64Array;
  /** Event amounts, same order. */
  amounts: Float64Array;
  /** Event fraud labels (0 also for not known yet), same order. */
  labels: Uint8Array;
  /** Event transaction ids, same order. */
  transactionIds: Float64Array;
}

/**
 * The online state of one entity column: for each live entity a ring of its recent events and
 * its window cursors, both typed arrays. An entity's ring keeps only events some window still
 * holds or will hold, so memory follows active entities × window contents, not history; idle
 * entities are dropped by {@link EntityStore.sweep}. For columns whose features read labels, an
 * index from transaction id to event lets labels arrive after the transaction.
 */
export class EntityStore {
  /** The windows and aggregates of this entity column. */
  readonly windows: EntityWindows;
  readonly #slots = new Map<number, number>();
  readonly #buffers: (EventBuffer | undefined)[] = [];
  readonly #cursors: (Float64Array | undefined)[] = [];
  readonly #free: number[] = [];
  readonly #labelIndex: IdIndex | undefined;
  readonly #forget: ((transactionId: number) => void) | undefined;

  constructor(windows: EntityWindows) {
    this.windows = windows;
    const index = windows.usesLabels ? new IdIndex() : undefined;
    this.#labelIndex = index;
    this.#forget = index === undefined ? undefined : (id) => index.delete(id);
  }

  /** Entity column name. */
  get entity(): string {
    return this.windows.entity;
  }

  /** True when this column keeps a transaction-id index (its features read labels). */
  get keepsLabels(): boolean {
    return this.#labelIndex !== undefined;
  }

  /**
   * The slot of entity `id`, or -1 for an entity without state. Throws before anything changes
   * when a new entity would not fit.
   */
  slotOf(id: number): number {
    const slot = this.#slots.get(id);
    if (slot !== undefined) return slot;
    if (this.#labelIndex !== undefined && this.#free.length === 0) {
      if (this.#buffers.length >= MAX_LABELLED_SLOTS) {
        throw new InvalidDataError(
          `Column "${this.entity}": more than ${MAX_LABELLED_SLOTS} entities are active at once; the online state cannot index their labels.`,
          { column: this.entity },
        );
      }
    }
    return -1;
  }

  /** True when the transaction is live in this store's label index. */
  hasTransaction(transactionId: number): boolean {
    return this.#labelIndex?.has(transactionId) ?? false;
  }

  /**
   * Records a transaction of entity `id` (at `slot` from {@link EntityStore.slotOf}) and writes
   * its window features into `out` at their output columns.
   */
  add(
    slot: number,
    id: number,
    transactionId: number,
    time: number,
    amount: number,
    label: number,
    out: Float64Array | Float32Array,
  ): void {
    if (slot < 0) slot = this.#allocate(id);
    const buffer = this.#buffers[slot]!;
    const cursor = this.#cursors[slot]!;
    const position = buffer.push(time, amount, label, transactionId);
    this.#labelIndex?.set(transactionId, slot * POSITION_RANGE + (position % POSITION_RANGE));
    this.windows.advance(cursor, buffer, buffer.tail, time);
    this.windows.read(cursor, out, 0);
    buffer.evictBefore(this.windows.oldestNeeded(cursor), this.#forget);
  }

  /**
   * Sets the fraud label of a live transaction; windows that hold it count the new label from
   * now on. Returns false when this store does not hold it.
   */
  setLabel(transactionId: number, label: number): boolean {
    const packed = this.#labelIndex?.get(transactionId) ?? -1;
    if (packed < 0) return false;
    const slot = Math.floor(packed / POSITION_RANGE);
    const buffer = this.#buffers[slot]!;
    const low = packed - slot * POSITION_RANGE;
    const position =
      buffer.head + ((low - (buffer.head % POSITION_RANGE) + POSITION_RANGE) % POSITION_RANGE);
    const at = position & buffer.mask;
    const delta = label - buffer.labels[at]!;
    if (delta !== 0) {
      buffer.labels[at] = label;
      this.windows.relabel(this.#cursors[slot]!, position, delta);
    }
    return true;
  }

  /**
   * Drops every entity whose newest event is at least the longest span older than `clock`: no
   * later transaction's window can reach its events, and an entity's windows restart from exact
   * zeros once emptied, so forgetting it changes no value.
   */
  sweep(clock: number): void {
    const horizon = clock - this.windows.spanSeconds;
    // forEach, unlike for…of over entries, allocates nothing per entity.
    this.#slots.forEach((slot, id) => {
      const buffer = this.#buffers[slot]!;
      if (buffer.times[(buffer.tail - 1) & buffer.mask]! > horizon) return;
      buffer.evictBefore(buffer.tail, this.#forget);
      this.#slots.delete(id);
      this.#buffers[slot] = undefined;
      this.#cursors[slot] = undefined;
      this.#free.push(slot);
    });
  }

  /** Live entities. */
  get entityCount(): number {
    return this.#slots.size;
  }

  /** Live events over all entities. */
  get eventCount(): number {
    let events = 0;
    for (const slot of this.#slots.values()) events += this.#buffers[slot]!.length;
    return events;
  }

  /** Allocated event slots over all entities. */
  get capacity(): number {
    let capacity = 0;
    for (const slot of this.#slots.values()) capacity += this.#buffers[slot]!.capacity;
    return capacity;
  }

  /** Entries of the transaction-id index (0 when labels are not used). */
  get labelIndexSize(): number {
    return this.#labelIndex?.size ?? 0;
  }

  /** Rough bytes held in typed arrays: rings, cursors and the transaction-id index. */
  get bytes(): number {
    // Per ring slot: time, amount, id (8 bytes each) and label (1).
    return (
      this.capacity * 25 +
      this.#slots.size * this.windows.cursorLength * 8 +
      (this.#labelIndex?.capacity ?? 0) * 16
    );
  }

  /** Copies the state into flat typed arrays, entities in insertion order. */
  toSnapshot(): EntityStoreSnapshot {
    const entities = this.#slots.size;
    const stride = this.windows.cursorLength;
    const ids = new Float64Array(entities);
    const counts = new Int32Array(entities);
    const cursors = new Float64Array(entities * stride);
    const total = this.eventCount;
    const times = new Float64Array(total);
    const amounts = new Float64Array(total);
    const labels = new Uint8Array(total);
    const transactionIds = new Float64Array(total);
    let e = 0;
    let k = 0;
    for (const [id, slot] of this.#slots) {
      const buffer = this.#buffers[slot]!;
      const cursor = this.#cursors[slot]!;
      ids[e] = id;
      counts[e] = buffer.length;
      for (let j = 0; j < stride; j++) cursors[e * stride + j] = cursor[j]!;
      for (let w = 0; w < stride; w += CURSOR_STRIDE) {
        cursors[e * stride + w + CURSOR_LO]! -= buffer.head;
        cursors[e * stride + w + CURSOR_HI]! -= buffer.head;
      }
      for (let p = buffer.head; p < buffer.tail; p++, k++) {
        const at = p & buffer.mask;
        times[k] = buffer.times[at]!;
        amounts[k] = buffer.amounts[at]!;
        labels[k] = buffer.labels[at]!;
        transactionIds[k] = buffer.ids[at]!;
      }
      e++;
    }
    return { entity: this.entity, ids, counts, cursors, times, amounts, labels, transactionIds };
  }

  /**
   * Rebuilds a store from {@link EntityStore.toSnapshot}'s arrays.
   * @throws InvalidArgumentError when the arrays do not fit together.
   */
  static fromSnapshot(windows: EntityWindows, snapshot: EntityStoreSnapshot): EntityStore {
    const fail = (why: string): never => {
      throw new InvalidArgumentError(
        `OnlineFeatureState.fromJSON: the state of "${windows.entity}" is inconsistent (${why}); the snapshot was damaged or edited.`,
        { entity: windows.entity },
      );
    };
    const { ids, counts, cursors, times, amounts, labels, transactionIds } = snapshot;
    const stride = windows.cursorLength;
    const entities = ids.length;
    if (counts.length !== entities) fail('ids and counts differ in length');
    if (cursors.length !== entities * stride) fail(`expected ${entities * stride} cursor values`);
    const total = times.length;
    if (amounts.length !== total || labels.length !== total || transactionIds.length !== total) {
      fail('event arrays differ in length');
    }
    const store = new EntityStore(windows);
    let k = 0;
    for (let e = 0; e < entities; e++) {
      const id = ids[e]!;
      const count = counts[e]!;
      if (store.#slots.has(id) || !(id >= 0 && Number.isSafeInteger(id))) fail(`entity id ${id}`);
      if (count < 1 || k + count > total) fail(`event count ${count} of entity ${id}`);
      const slot = store.#allocate(id);
      const buffer = store.#buffers[slot]!;
      const cursor = store.#cursors[slot]!;
      for (let j = 0; j < stride; j++) cursor[j] = cursors[e * stride + j]!;
      for (let w = 0; w < stride; w += CURSOR_STRIDE) {
        const lo = cursor[w + CURSOR_LO]!;
        const hi = cursor[w + CURSOR_HI]!;
        if (!(Number.isInteger(lo) && lo >= 0 && lo <= hi && hi <= count)) {
          fail(`window positions of entity ${id}`);
        }
      }
      for (let j = 0; j < count; j++, k++) {
        if (!(Number.isFinite(times[k]) && Number.isFinite(amounts[k]) && labels[k]! <= 1)) {
          fail(`event ${j} of entity ${id}`);
        }
        if (j > 0 && times[k]! < times[k - 1]!) fail(`event times of entity ${id} decrease`);
        const position = buffer.push(times[k]!, amounts[k]!, labels[k]!, transactionIds[k]!);
        if (store.#labelIndex !== undefined) {
          if (store.#labelIndex.has(transactionIds[k]!))
            fail(`transaction ${transactionIds[k]} twice`);
          store.#labelIndex.set(transactionIds[k]!, slot * POSITION_RANGE + position);
        }
      }
    }
    if (k !== total) fail('events left over');
    return store;
  }

  #allocate(id: number): number {
    const slot = this.#free.pop() ?? this.#buffers.length;
    this.#buffers[slot] = new EventBuffer();
    const cursor = new Float64Array(this.windows.cursorLength);
    this.windows.reset(cursor, 0);
    this.#cursors[slot] = cursor;
    this.#slots.set(id, slot);
    return slot;
  }
}
