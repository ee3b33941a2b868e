import { InvalidDataError, NotFoundError, Table } from '@mlsd/core';
import { simulateTransactions } from '@mlsd/datasets';
import {
  computeFeatures,
  type FeatureMatrix,
  type FeatureSet,
  handbookFeatureSet,
  OnlineFeatureState,
  type OnlineStateOptions,
} from '@mlsd/features';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OnlineStateStore } from '../src/state/online-state-store.js';

const DAY = 86_400;

/** What a store is built from: the parts of a FraudModel the stores read. */
export interface StateStoreModel {
  features: FeatureSet;
  state?: OnlineFeatureState | undefined;
}

/** Builds a fresh, empty-namespace store for `model` (seeded from `model.state` when given). */
export type MakeStateStore = (
  model: StateStoreModel,
  options?: OnlineStateOptions,
) => Promise<OnlineStateStore>;

/** How an implementation forgets, which the contract's memory checks follow. */
export interface StoreTraits {
  /**
   * True when idle entities are swept on event time (in process); false when they leave by a
   * wall-clock TTL (Redis: no global clock), so the store holds what per-entity trimming keeps.
   */
  sweepsIdleEntities: boolean;
}

/** The shared world: a small simulated table (time order) and its batch features. */
interface World {
  table: Table;
  features: FeatureSet;
  batch: FeatureMatrix;
}

function buildWorld(): World {
  const { table } = simulateTransactions({
    customers: 100,
    terminals: 200,
    days: 40,
    seed: 1,
    progress: false,
  });
  const features = handbookFeatureSet();
  return { table, features, batch: computeFeatures(table, features) };
}

/** Row `i` as a normalized transaction; `TX_FRAUD` only when `withLabel`. */
function requestAt(table: Table, i: number, withLabel: boolean): Record<string, number> {
  const request: Record<string, number> = {
    TRANSACTION_ID: table.numeric('TRANSACTION_ID')[i]!,
    TX_TIME_SECONDS: table.numeric('TX_TIME_SECONDS')[i]!,
    CUSTOMER_ID: table.numeric('CUSTOMER_ID')[i]!,
    TERMINAL_ID: table.numeric('TERMINAL_ID')[i]!,
    TX_AMOUNT: table.numeric('TX_AMOUNT')[i]!,
  };
  if (withLabel) request.TX_FRAUD = table.numeric('TX_FRAUD')[i]!;
  return request;
}

/** Cells of `vector` that differ at all (Object.is) from row `row` of the batch matrix. */
function differences(batch: FeatureMatrix, row: number, vector: ArrayLike<number>): string[] {
  const out: string[] = [];
  for (let j = 0; j < batch.columns; j++) {
    const expected = batch.values[row * batch.columns + j]!;
    if (!Object.is(vector[j], expected)) {
      out.push(`row ${row} ${batch.names[j]}: store ${vector[j]} batch ${expected}`);
    }
  }
  return out;
}

/** Replays rows [from, to) through the store, collecting every difference from batch. */
async function replay(
  store: OnlineStateStore,
  world: World,
  from: number,
  to: number,
  withLabel = true,
): Promise<string[]> {
  const found: string[] = [];
  for (let i = from; i < to; i++) {
    const vector = await store.update(requestAt(world.table, i, withLabel));
    found.push(...differences(world.batch, i, vector));
  }
  return found;
}

/** An in-process state that forgets the way `traits` says the store under test does. */
function referenceState(features: FeatureSet, traits: StoreTraits): OnlineFeatureState {
  return new OnlineFeatureState(features, {
    sweepIdleEntities: traits.sweepsIdleEntities,
  });
}

async function refusal(promise: Promise<unknown>): Promise<InvalidDataError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidDataError);
  return error as InvalidDataError;
}

/**
 * The behaviour every {@link OnlineStateStore} must have, run against each implementation:
 * exact parity with batch `computeFeatures` (labels with the transactions, labels arriving
 * later, continuing from a saved state, arrivals within the lateness), per-entity event time,
 * refusal of repeated, late, too-future, out-of-range and malformed transactions without any
 * change, retries answered again, and the events held equal to what per-entity trimming keeps.
 */
export function describeStateStoreContract(
  name: string,
  makeStore: MakeStateStore,
  traits: StoreTraits,
): void {
  describe(`OnlineStateStore contract: ${name}`, () => {
    let world: World;
    const open: OnlineStateStore[] = [];
    const make = async (
      model: StateStoreModel,
      options?: OnlineStateOptions,
    ): Promise<OnlineStateStore> => {
      const store = await makeStore(model, options);
      open.push(store);
      return store;
    };

    beforeAll(() => {
      world = buildWorld();
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((store) => store.close()));
    });

    it('replays a simulated table with exactly the batch values, holding what the in-process state holds', async () => {
      const store = await make({ features: world.features });
      expect(store.features.names).toEqual(world.features.names);
      expect(await store.stats()).toEqual({
        kind: store.kind,
        entities: 0,
        events: 0,
        clock: null,
      });
      expect(await store.ready()).toMatchObject({ ready: true, seeded: true });
      const n = world.table.length;
      expect(n).toBeGreaterThan(5_000);
      expect(await replay(store, world, 0, n)).toEqual([]);

      const reference = referenceState(world.features, traits);
      for (let i = 0; i < n; i++) reference.update(requestAt(world.table, i, true));
      const expected = reference.stats();
      expect(await store.stats()).toEqual({
        kind: store.kind,
        entities: expected.entities,
        events: expected.events,
        clock: reference.watermark,
      });
    });

    it('keeps exactly the events per-entity trimming keeps, for any windows and delays', async () => {
      // Short windows (reach 1.5 days), so most events leave their entity's store.
      const features = handbookFeatureSet({ windowsDays: [0.25, 1], delayDays: 0.5 });
      const batch = computeFeatures(world.table, features);
      const store = await make({ features });
      const reference = referenceState(features, traits);
      const found: string[] = [];
      let checks = 0;
      for (let i = 0; i < world.table.length; i++) {
        const request = requestAt(world.table, i, true);
        found.push(...differences(batch, i, await store.update(request)));
        reference.update(request);
        if (i % 500 === 0 || i === world.table.length - 1) {
          const expected = reference.stats();
          const actual = await store.stats();
          if (actual.entities !== expected.entities || actual.events !== expected.events) {
            found.push(
              `row ${i}: store ${JSON.stringify(actual)} in-process ${JSON.stringify(expected)}`,
            );
          }
          checks++;
        }
      }
      expect(found).toEqual([]);
      expect(checks).toBeGreaterThan(10);
      // Far fewer events than transactions × entities are held at the end.
      expect((await store.stats()).events).toBeLessThan(world.table.length / 4);
    });

    it('continues from the state saved with a model exactly as the batch features do', async () => {
      const time = world.table.numeric('TX_TIME_SECONDS');
      const split = time.findIndex((t) => t >= 30 * DAY);
      const saved = new OnlineFeatureState(world.features);
      for (let i = 0; i < split; i++) saved.update(requestAt(world.table, i, true));
      const store = await make({ features: world.features, state: saved });
      const before = saved.stats();
      expect(await store.stats()).toEqual({
        kind: store.kind,
        entities: before.entities,
        events: before.events,
        clock: saved.watermark,
      });
      expect(await replay(store, world, split, world.table.length)).toEqual([]);
      // The model's own state is not touched by the store.
      expect(saved.stats()).toEqual(before);
    });

    it('gives the batch values when labels arrive later through recordLabel, within the delay', async () => {
      const { table } = world;
      const time = table.numeric('TX_TIME_SECONDS');
      const fraud = table.numeric('TX_FRAUD');
      const n = table.length;
      // Each label turns up between 0 and 6.9 days after its transaction (deterministic lag).
      const due = Float64Array.from(
        { length: n },
        (_, j) => time[j]! + ((j * 7919) % 1000) * 0.0069 * DAY,
      );
      const order = Array.from({ length: n }, (_, j) => j).sort(
        (a, b) => due[a]! - due[b]! || a - b,
      );
      const store = await make({ features: world.features });
      const found: string[] = [];
      let next = 0;
      for (let i = 0; i < n; i++) {
        while (next < n && due[order[next]!]! <= time[i]! && order[next]! < i) {
          const j = order[next++]!;
          await store.recordLabel(j, fraud[j]! as 0 | 1);
        }
        found.push(...differences(world.batch, i, await store.update(requestAt(table, i, false))));
      }
      expect(next).toBeGreaterThan(n / 2);
      expect(found).toEqual([]);
      // Recording the same label again is harmless; correcting it is allowed.
      const last = order[next - 1]!;
      await store.recordLabel(last, fraud[last]! as 0 | 1);
      await store.recordLabel(String(last), fraud[last] === 1 ? 0 : 1);
    });

    it('matches the in-process state exactly whatever the label timing, corrections included', async () => {
      const { table } = world;
      const time = table.numeric('TX_TIME_SECONDS');
      const fraud = table.numeric('TX_FRAUD');
      const n = table.length;
      // Labels turn up 0 to 20 days late (many after the 7-day delay); every 13th is first
      // recorded wrong and corrected 2 days later.
      const events: { at: number; id: number; label: 0 | 1 }[] = [];
      for (let j = 0; j < n; j++) {
        const lag = ((j * 7919) % 2000) * 0.01 * DAY;
        const label = fraud[j]! as 0 | 1;
        if (j % 13 === 0) {
          events.push({ at: time[j]! + lag, id: j, label: label === 1 ? 0 : 1 });
          events.push({ at: time[j]! + lag + 2 * DAY, id: j, label });
        } else events.push({ at: time[j]! + lag, id: j, label });
      }
      events.sort((a, b) => a.at - b.at || a.id - b.id);
      const store = await make({ features: world.features });
      const reference = referenceState(world.features, traits);
      const found: string[] = [];
      let next = 0;
      for (let i = 0; i < n; i++) {
        while (next < events.length && events[next]!.at <= time[i]! && events[next]!.id < i) {
          const { id, label } = events[next++]!;
          let expected = 'ok';
          try {
            reference.recordLabel(id, label);
          } catch (error) {
            expected = (error as Error).name;
          }
          const actual = await store.recordLabel(id, label).then(
            () => 'ok',
            (error: unknown) => (error as Error).name,
          );
          if (actual !== expected)
            found.push(`label of ${id}: store ${actual}, in-process ${expected}`);
        }
        const request = requestAt(table, i, false);
        const vector = await store.update(request);
        const expected = reference.update(request);
        for (let f = 0; f < expected.length; f++) {
          if (!Object.is(vector[f], expected[f])) {
            found.push(
              `row ${i} ${world.features.names[f]}: store ${vector[f]} in-process ${expected[f]}`,
            );
          }
        }
      }
      expect(found.slice(0, 10)).toEqual([]);
      expect(next).toBeGreaterThan(n / 2);
    });

    it('inserts an arrival late within the lateness in time order; refuses a later one, naming the lateness', async () => {
      const store = await make({ features: world.features }, { allowedLatenessSeconds: 3_600 });
      const base = { CUSTOMER_ID: 5, TERMINAL_ID: 9, TX_AMOUNT: 10 };
      await store.update({ ...base, TRANSACTION_ID: 1, TX_TIME_SECONDS: 10 * DAY });
      // Another card has its own clock: a much older time is fine there.
      await store.update({
        ...base,
        CUSTOMER_ID: 6,
        TERMINAL_ID: 10,
        TRANSACTION_ID: 2,
        TX_TIME_SECONDS: 2 * DAY,
      });
      const late = await store.update({
        ...base,
        TRANSACTION_ID: 3,
        TX_AMOUNT: 30,
        TX_TIME_SECONDS: 10 * DAY - 1_800,
      });
      const count1d = world.features.names.indexOf('CUSTOMER_ID_NB_TX_1DAY_WINDOW');
      const mean1d = world.features.names.indexOf('CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW');
      expect([late[count1d], late[mean1d]]).toEqual([1, 30]); // it cannot see transaction 1
      const after = await store.update({
        ...base,
        TRANSACTION_ID: 4,
        TX_AMOUNT: 50,
        TX_TIME_SECONDS: 10 * DAY + 1,
      });
      expect([after[count1d], after[mean1d]]).toEqual([3, 30]);
      const stats = await store.stats();
      const error = await refusal(
        store.update({
          ...base,
          TERMINAL_ID: 11,
          TRANSACTION_ID: 5,
          TX_TIME_SECONDS: 10 * DAY + 1 - 3_601,
        }),
      );
      expect(error.details).toMatchObject({
        reason: 'out-of-order',
        entity: 'CUSTOMER_ID',
        key: '5',
        lateness: 3_600,
      });
      expect(error.message).toMatch(
        /older than the newest event of CUSTOMER_ID "5" .* by 3601 s, more than the allowed lateness of 3600 s/,
      );
      // Its new terminal's step was undone: nothing is recorded, the id is still free.
      expect(await store.stats()).toEqual(stats);
      await store.update({
        ...base,
        TERMINAL_ID: 11,
        TRANSACTION_ID: 5,
        TX_TIME_SECONDS: 10 * DAY + 2,
      });
    });

    it('gives the batch values for events exactly on and around every window edge', async () => {
      // Events 1 s before, on and 1 s after each edge of the handbook windows (1, 7, 30 days;
      // delay 7), for one card and one terminal, then transactions that look back at them.
      const edges = [1, 7, 8, 14, 30, 37].flatMap((days) => [-1, 0, 1].map((s) => days * DAY + s));
      const t0 = 40 * DAY;
      const times = [...edges.map((e) => t0 - e).sort((a, b) => a - b), t0, t0, t0 + 1];
      const rows = times.map((t, i) => ({
        TRANSACTION_ID: i,
        TX_TIME_SECONDS: t,
        CUSTOMER_ID: 3,
        TERMINAL_ID: 4,
        TX_AMOUNT: 1 + i,
        TX_FRAUD: i % 3 === 0 ? 1 : 0,
      }));
      const table = Table.fromRows(rows);
      const batch = computeFeatures(table, world.features);
      const store = await make({ features: world.features }, { maxGapSeconds: null });
      const found: string[] = [];
      for (let i = 0; i < rows.length; i++) {
        found.push(...differences(batch, i, await store.update(rows[i]!)));
      }
      expect(found).toEqual([]);
    });

    it('answers a retried transaction again, refuses a repeated id, and one with other values', async () => {
      const store = await make({ features: world.features });
      expect(await replay(store, world, 0, 300)).toEqual([]);
      const stats = await store.stats();
      const again = await store.updateWithOutcome(requestAt(world.table, 250, true));
      expect(again.repeated).toBe(true);
      expect(differences(world.batch, 250, again.vector)).toEqual([]);
      const duplicate = await refusal(store.update(requestAt(world.table, 299, true)));
      expect(duplicate.details.reason).toBe('duplicate');
      expect(duplicate.message).toMatch(/already recorded/);
      const conflict = await refusal(
        store.updateWithOutcome({ ...requestAt(world.table, 299, true), TX_AMOUNT: 999 }),
      );
      expect(conflict.details.reason).toBe('duplicate-conflict');
      expect(await store.stats()).toEqual(stats);
      expect(await replay(store, world, 300, 400)).toEqual([]);
    });

    it('refuses a time too far in the future and an amount outside the exact range, recording nothing', async () => {
      const store = await make({ features: world.features }, { maxGapSeconds: DAY });
      expect(await replay(store, world, 0, 100)).toEqual([]);
      const stats = await store.stats();
      const good = requestAt(world.table, 100, true);
      const future = await refusal(
        store.update({ ...good, TX_TIME_SECONDS: 9_007_199_254_740_991 }),
      );
      expect(future.details.reason).toBe('future');
      for (const amount of [1e308, 1e30]) {
        const error = await refusal(store.update({ ...good, TX_AMOUNT: amount }));
        expect(error.message).toMatch(/window features need a finite number/);
      }
      expect(await store.stats()).toEqual(stats);
      expect(await replay(store, world, 100, 200)).toEqual([]);
    });

    it('refuses malformed transactions with InvalidDataError naming the field, changing nothing', async () => {
      const store = await make({ features: world.features });
      expect(await replay(store, world, 0, 200)).toEqual([]);
      const stats = await store.stats();
      const good = requestAt(world.table, 200, true) as Record<string, unknown>;
      const cases: [unknown, RegExp][] = [
        [null, /transaction object/],
        ['{"TRANSACTION_ID":1}', /transaction object/],
        [{ ...good, TRANSACTION_ID: undefined }, /TRANSACTION_ID is missing/],
        [{ ...good, TRANSACTION_ID: {} }, /TRANSACTION_ID is object/],
        [{ ...good, CUSTOMER_ID: [1] }, /CUSTOMER_ID is an array/],
        [{ ...good, TX_AMOUNT: Number.NaN }, /TX_AMOUNT is NaN/],
        [{ ...good, TX_TIME_SECONDS: Number.POSITIVE_INFINITY }, /TX_TIME_SECONDS is Infinity/],
        [{ ...good, TX_FRAUD: 2 }, /TX_FRAUD is 2/],
      ];
      for (const [transaction, message] of cases) {
        const error = await store
          .update(transaction as Record<string, unknown>)
          .catch((e: unknown) => e);
        expect(error, String(message)).toBeInstanceOf(InvalidDataError);
        expect((error as Error).message).toMatch(message);
      }
      expect(await store.stats()).toEqual(stats);
      expect(await replay(store, world, 200, 300)).toEqual([]);
    });

    it('refuses labels of unknown transactions and malformed labels', async () => {
      const store = await make({ features: world.features });
      expect(await replay(store, world, 0, 50, false)).toEqual([]);
      await expect(store.recordLabel(123_456, 1)).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.recordLabel(null as unknown as string, 1)).rejects.toBeInstanceOf(
        InvalidDataError,
      );
      await expect(store.recordLabel(10, 2 as 0)).rejects.toBeInstanceOf(InvalidDataError);
      await store.recordLabel(10, true);
      await store.recordLabel('10', 0);
    });

    it('counts entities and events per transaction', async () => {
      const store = await make({ features: world.features });
      const request = requestAt(world.table, 0, true);
      const vector = await store.update(request);
      expect(vector).toBeInstanceOf(Float64Array);
      expect(vector.length).toBe(world.features.names.length);
      // One card and one terminal, one event each.
      expect(await store.stats()).toEqual({
        kind: store.kind,
        entities: 2,
        events: 2,
        clock: request.TX_TIME_SECONDS,
      });
      await store.update({
        ...request,
        TRANSACTION_ID: 1_000_001,
        TERMINAL_ID: request.TERMINAL_ID! + 1,
      });
      expect(await store.stats()).toMatchObject({ entities: 3, events: 4 });
    });
  });
}
