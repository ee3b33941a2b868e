import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DimensionMismatchError,
  InvalidArgumentError,
  InvalidDataError,
  NotFittedError,
  NotFoundError,
  Rng,
} from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import {
  computeFeatures,
  FeatureSet,
  HANDBOOK_FEATURE_NAMES,
  handbookFeatureSet,
  OnlineFeatureState,
  readFeatureState,
  writeFeatureState,
} from '../src/index.js';
import { simulateTransactions } from './helpers/simulate.js';
import { DAY, type HandTransaction, HOUR } from './helpers/tables.js';

const HANDBOOK = handbookFeatureSet();
const NO_SKEW = { maxGapSeconds: null };

function tx(id: number, row: HandTransaction): Record<string, number> {
  return {
    TRANSACTION_ID: id,
    TX_TIME_SECONDS: row.t,
    CUSTOMER_ID: row.customer ?? 0,
    TERMINAL_ID: row.terminal ?? 0,
    TX_AMOUNT: row.amount ?? 1,
    TX_FRAUD: row.fraud ?? 0,
  };
}

const named = (vector: ArrayLike<number>) =>
  Object.fromEntries(HANDBOOK_FEATURE_NAMES.map((name, j) => [name, vector[j]]));

function expectError(fn: () => unknown, type: typeof InvalidDataError, details: object): Error {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    expect((error as InvalidDataError).details).toMatchObject(details);
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('OnlineFeatureState: one transaction at a time', () => {
  it('scores the hand-computed customer and terminal cases', () => {
    const state = new OnlineFeatureState(HANDBOOK, NO_SKEW);
    expect(state.names).toEqual(HANDBOOK_FEATURE_NAMES);
    expect(state.watermark).toBeUndefined();
    state.update(tx(0, { t: 0, customer: 1, terminal: 20, amount: 10, fraud: 1 }));
    state.update(tx(1, { t: HOUR, customer: 1, terminal: 21, amount: 20 }));
    const tie = state.update(tx(2, { t: HOUR, customer: 1, terminal: 21, amount: 60 }));
    expect(tie[3]).toBe(3); // the earlier row at the same second is in the window
    const dayLater = named(state.update(tx(3, { t: DAY, customer: 1, terminal: 22, amount: 30 })));
    expect(dayLater).toMatchObject({
      CUSTOMER_ID_NB_TX_1DAY_WINDOW: 3,
      CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW: 110 / 3,
      CUSTOMER_ID_NB_TX_7DAY_WINDOW: 4,
      TX_DURING_NIGHT: 1,
      TX_DURING_WEEKEND: 0,
    });
    const weekLater = named(
      state.update(tx(4, { t: 7 * DAY, customer: 2, terminal: 20, amount: 5 })),
    );
    expect(weekLater).toMatchObject({
      TX_AMOUNT: 5,
      TX_DURING_WEEKEND: 1,
      CUSTOMER_ID_NB_TX_30DAY_WINDOW: 1,
      TERMINAL_ID_NB_TX_1DAY_WINDOW: 1, // transaction 0, exactly 7 days old
      TERMINAL_ID_RISK_1DAY_WINDOW: 1,
    });
    expect(state.watermark).toBe(7 * DAY);
  });

  it('writes into a caller buffer, float32 included, and checks its length', () => {
    const state = new OnlineFeatureState(HANDBOOK);
    const out = new Float32Array(15);
    expect(state.update(tx(0, { t: 0, amount: 0.1 }), out)).toBe(out);
    expect(out[0]).toBe(Math.fround(0.1));
    expect(() => state.update(tx(1, { t: 1 }), new Float64Array(3))).toThrow(
      DimensionMismatchError,
    );
  });

  it('needs fitted features', () => {
    const unfitted = new FeatureSet({
      version: 2,
      columns: { transactionId: 'id', time: 't', amount: 'a' },
      features: [{ kind: 'frequency', column: 'c' }],
    });
    expect(() => new OnlineFeatureState(unfitted)).toThrow(NotFittedError);
    expect(() => new OnlineFeatureState(HANDBOOK, { allowedLatenessSeconds: -1 })).toThrow(
      InvalidArgumentError,
    );
  });
});

describe('OnlineFeatureState: per-entity event time', () => {
  it('takes each entity in time order; a later arrival within the lateness is inserted in order', () => {
    const state = new OnlineFeatureState(HANDBOOK, { allowedLatenessSeconds: HOUR });
    state.update(tx(0, { t: 10 * HOUR, customer: 1, terminal: 1, amount: 10 }));
    // Customer 2 has its own clock: a transaction older than customer 1's newest is fine.
    state.update(tx(1, { t: 5 * HOUR, customer: 2, terminal: 2, amount: 20 }));
    // 30 minutes late for customer 1: inserted before transaction 0, which it cannot see.
    const late = named(
      state.update(tx(2, { t: 9.5 * HOUR, customer: 1, terminal: 3, amount: 30 })),
    );
    expect(late.CUSTOMER_ID_NB_TX_1DAY_WINDOW).toBe(1);
    expect(late.CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW).toBe(30);
    // The next one sees both, in time order.
    const next = named(state.update(tx(3, { t: 11 * HOUR, customer: 1, terminal: 3, amount: 50 })));
    expect(next.CUSTOMER_ID_NB_TX_1DAY_WINDOW).toBe(3);
    expect(next.CUSTOMER_ID_AVG_AMOUNT_1DAY_WINDOW).toBe(30);
  });

  it('refuses an arrival later than the lateness, naming it, and records nothing', () => {
    const state = new OnlineFeatureState(HANDBOOK, { allowedLatenessSeconds: 60 });
    state.update(tx(0, { t: 1_000, customer: 1, terminal: 7 }));
    const before = JSON.stringify(state.toJSON());
    const error = expectError(
      () => state.update(tx(1, { t: 900, customer: 1, terminal: 8 })),
      InvalidDataError,
      { reason: 'out-of-order', entity: 'CUSTOMER_ID', key: '1', newest: 1_000, lateness: 60 },
    );
    expect(error.message).toMatch(
      /older than the newest event of CUSTOMER_ID "1" \(its clock 1000\) by 100 s, more than the allowed lateness of 60 s/,
    );
    expect(JSON.stringify(state.toJSON())).toBe(before);
    // The refused id is still free.
    state.update(tx(1, { t: 1_000, customer: 1, terminal: 8 }));
  });

  it('refuses times beyond the wall clock plus the skew, recording nothing', () => {
    const now = () => Date.UTC(2018, 3, 11) / 1000; // ten days after the origin
    const state = new OnlineFeatureState(HANDBOOK, { maxFutureSkewSeconds: DAY, now });
    // The wall clock guards the first transaction too.
    expectError(() => state.update(tx(9, { t: 12 * DAY })), InvalidDataError, {
      reason: 'future',
    });
    state.update(tx(0, { t: 0 }));
    const before = JSON.stringify(state.toJSON());
    const poisoned = tx(1, { t: 9_007_199_254_740_991 });
    const error = expectError(() => state.update(poisoned), InvalidDataError, { reason: 'future' });
    expect(error.message).toMatch(
      /after the wall clock; the maximum skew into the future is 86400 s/,
    );
    expect(JSON.stringify(state.toJSON())).toBe(before);
    // A time far beyond the newest event is fine while it is not beyond now: a state restored
    // after downtime takes today's transactions.
    state.update(tx(2, { t: 10.5 * DAY }));
    expect(state.watermark).toBe(10.5 * DAY);
  });

  it('without a wall clock, refuses a gap beyond the newest accepted time longer than allowed', () => {
    const state = new OnlineFeatureState(HANDBOOK, { maxGapSeconds: 2 * DAY });
    state.update(tx(0, { t: 0 }));
    const before = JSON.stringify(state.toJSON());
    const error = expectError(
      () => state.update(tx(1, { t: 9_007_199_254_740_991 })),
      InvalidDataError,
      { reason: 'future', newest: 0 },
    );
    expect(error.message).toMatch(/the largest gap allowed is 172800 s \(maxGapSeconds\)/);
    expect(JSON.stringify(state.toJSON())).toBe(before);
    state.update(tx(2, { t: 2 * DAY }));
    expectError(() => state.update(tx(3, { t: 4 * DAY + 1 })), InvalidDataError, {
      reason: 'future',
    });
    // The default allows the silences of a real log: 30 days.
    const lenient = new OnlineFeatureState(HANDBOOK);
    lenient.update(tx(0, { t: 0 }));
    lenient.update(tx(1, { t: 29 * DAY }));
    expect(() => lenient.update(tx(2, { t: 60 * DAY }))).toThrow(/maxGapSeconds/);
  });

  it('refuses values outside the exact range and malformed fields before recording anything', () => {
    const state = new OnlineFeatureState(HANDBOOK);
    state.update(tx(0, { t: 0, customer: 1 }));
    const before = JSON.stringify(state.toJSON());
    for (const [bad, pattern] of [
      [
        { TX_AMOUNT: 1e308 },
        /TX_AMOUNT is 1e\+308; window features need a finite number with \|value\| ≤ 10,995,116,277\.76/,
      ],
      [{ TX_AMOUNT: 1e30 }, /TX_AMOUNT is 1e\+30/],
      [{ TX_AMOUNT: 'lots' }, /TX_AMOUNT is "lots"/],
      [{ TX_TIME_SECONDS: null }, /TX_TIME_SECONDS is null/],
      [{ TX_FRAUD: 2 }, /TX_FRAUD is 2/],
      [{ CUSTOMER_ID: {} }, /CUSTOMER_ID is object/],
      [{ TRANSACTION_ID: null }, /TRANSACTION_ID is null/],
    ] as const) {
      expect(() => state.update({ ...tx(1, { t: 10, customer: 1 }), ...bad })).toThrow(pattern);
    }
    expect(JSON.stringify(state.toJSON())).toBe(before);
  });

  it('a repeated id: refused by update, answered again by updateWithOutcome, refused with other values', () => {
    const state = new OnlineFeatureState(HANDBOOK, NO_SKEW);
    state.update(tx(0, { t: 0, customer: 1, terminal: 1, amount: 5 }));
    const first = Array.from(state.update(tx(1, { t: 10, customer: 1, terminal: 1, amount: 7 })));
    state.update(tx(2, { t: 20, customer: 1, terminal: 1, amount: 9 }));
    const before = JSON.stringify(state.toJSON());
    expectError(
      () => state.update(tx(1, { t: 10, customer: 1, terminal: 1, amount: 7 })),
      InvalidDataError,
      {
        reason: 'duplicate',
      },
    );
    const again = state.updateWithOutcome(tx(1, { t: 10, customer: 1, terminal: 1, amount: 7 }));
    expect(again.repeated).toBe(true);
    expect(Array.from(again.vector)).toEqual(first);
    const conflict = expectError(
      () => state.updateWithOutcome(tx(1, { t: 10, customer: 1, terminal: 1, amount: 8 })),
      InvalidDataError,
      { reason: 'duplicate-conflict' },
    );
    expect(conflict.message).toMatch(/already recorded with other values/);
    expect(JSON.stringify(state.toJSON())).toBe(before);
  });
});

describe('OnlineFeatureState: labels', () => {
  it('counts a late label in windows of transactions at or after its label time', () => {
    const state = new OnlineFeatureState(HANDBOOK, NO_SKEW);
    const risk7 = HANDBOOK_FEATURE_NAMES.indexOf('TERMINAL_ID_RISK_7DAY_WINDOW');
    const unlabelled = (id: number, t: number) => ({
      ...tx(id, { t, terminal: 1, customer: id }),
      TX_FRAUD: null,
    });
    state.update(unlabelled(0, 0));
    expect(state.update(unlabelled(1, 8 * DAY))[risk7]).toBe(0);
    state.recordLabel(0, 1, 9 * DAY); // a chargeback known from day 9 on
    expect(state.update(unlabelled(2, 8.5 * DAY))[risk7]).toBe(0);
    expect(state.update(unlabelled(3, 9 * DAY))[risk7]).toBe(1);
    state.recordLabel('0', 0); // corrected, from now on
    expect(state.update(unlabelled(4, 9 * DAY + 1))[risk7]).toBe(0);
  });

  it('refuses labels it cannot place', () => {
    const state = new OnlineFeatureState(HANDBOOK, NO_SKEW);
    expect(() => state.recordLabel(5, 1)).toThrow(NotFoundError);
    state.update(tx(0, { t: 0 }));
    expect(() => state.recordLabel(0, 2 as 1)).toThrow(/fraud must be 0, 1, true or false/);
    expect(() => state.recordLabel(0, 1, Number.NaN)).toThrow(/label time/);
    // Its terminal lets it go at the terminal's next transaction 37 days after the previous.
    state.update(tx(1, { t: 38 * DAY, customer: 9, terminal: 0 }));
    state.update(tx(2, { t: 38 * DAY + 1, customer: 9, terminal: 0 }));
    expect(() => state.recordLabel(0, 1)).toThrow(/not in the state/);
    const noLabels = new OnlineFeatureState(
      new FeatureSet({
        version: 2,
        columns: { transactionId: 'TRANSACTION_ID', time: 'TX_TIME_SECONDS', amount: 'TX_AMOUNT' },
        entities: [{ name: 'card', columns: ['CUSTOMER_ID'] }],
        features: [{ kind: 'window', entity: 'card', windowDays: 1, aggregate: 'count' }],
      }),
    );
    noLabels.update(tx(0, { t: 0 }));
    expect(() => noLabels.recordLabel(0, 1)).toThrow(/no feature of this state reads labels/);
  });
});

describe('OnlineFeatureState: memory and snapshots', () => {
  it('stays bounded by active entities × window contents over a long replay', () => {
    const rng = new Rng(99);
    const events: { t: number; customer: number; terminal: number }[] = [];
    for (let c = 0; c < 300; c++) {
      const start = rng.integer(0, 380);
      const end = Math.min(400, start + rng.integer(20, 50));
      for (let day = start; day < end; day++) {
        for (let k = rng.poisson(2); k > 0; k--) {
          events.push({
            t: day * DAY + rng.integer(0, DAY),
            customer: c,
            terminal: c * 3 + rng.integer(0, 3),
          });
        }
      }
    }
    events.sort((a, b) => a.t - b.t);
    const state = new OnlineFeatureState(HANDBOOK, NO_SKEW);
    let peakEntities = 0;
    let checks = 0;
    let nextCheck = 40 * DAY;
    events.forEach((event, i) => {
      state.update(
        tx(i, {
          t: event.t,
          customer: event.customer,
          terminal: event.terminal,
          fraud: i % 50 === 0 ? 1 : 0,
        }),
      );
      if (event.t < nextCheck) return;
      nextCheck += 10 * DAY;
      checks++;
      const stats = state.stats();
      // An entity keeps the 37 days before its previous event, and is swept within a day once
      // its newest event is 37 days old: nothing older than 75 days survives.
      let recent = 0;
      for (let j = i; j >= 0 && events[j]!.t > event.t - 75 * DAY; j--) recent++;
      expect(stats.events).toBeLessThanOrEqual(2 * recent);
      expect(stats.transactions).toBeLessThanOrEqual(recent);
      expect(stats.capacity).toBeLessThanOrEqual(4 * stats.events + 8 * stats.entities);
      peakEntities = Math.max(peakEntities, stats.entities);
    });
    expect(checks).toBeGreaterThan(30);
    expect(peakEntities).toBeLessThan(600); // of 300 customers and ~900 terminals seen
  });

  it('forgets an idle entity once its newest event is out of every window', () => {
    const state = new OnlineFeatureState(HANDBOOK, NO_SKEW);
    state.update(tx(0, { t: 0, customer: 1, terminal: 1 }));
    state.update(tx(1, { t: 29 * DAY, customer: 2, terminal: 2 }));
    expect(state.stats().byEntity.CUSTOMER_ID!.entities).toBe(2);
    state.update(tx(2, { t: 30 * DAY, customer: 2, terminal: 2 }));
    expect(state.stats().byEntity.CUSTOMER_ID!.entities).toBe(1);
    expect(state.stats().byEntity.TERMINAL_ID!.entities).toBe(2); // terminals reach back 37 days
    state.update(tx(3, { t: 37 * DAY, customer: 2, terminal: 2 }));
    expect(state.stats().byEntity.TERMINAL_ID!.entities).toBe(1);
    expect(state.stats().transactions).toBe(3);
    expect(() => state.recordLabel(0, 1)).toThrow(/not in the state/);
  });

  it('continues identically after a snapshot and after an artifact round trip', async () => {
    const table = simulateTransactions({ seed: 5, days: 50, customers: 15, terminals: 20 });
    const batch = computeFeatures(table, HANDBOOK);
    const rows = table.toRows();
    const half = Math.floor(rows.length / 2);
    const state = new OnlineFeatureState(HANDBOOK, NO_SKEW);
    for (let i = 0; i < half; i++) state.update(rows[i]!);
    const dir = join(await mkdtemp(join(tmpdir(), 'mlsd-state-')), 'state');
    await writeFeatureState(dir, state);
    const restored = await readFeatureState(dir);
    const copy = OnlineFeatureState.fromJSON(JSON.parse(JSON.stringify(state.toJSON())));
    const held = ({ entities, events, transactions }: ReturnType<typeof state.stats>) => ({
      entities,
      events,
      transactions,
    });
    expect(held(restored.stats())).toEqual(held(state.stats()));
    for (let i = half; i < rows.length; i++) {
      const expected = Array.from(batch.values.subarray(i * 15, i * 15 + 15));
      expect(Array.from(restored.update(rows[i]!))).toEqual(expected);
      expect(Array.from(copy.update(rows[i]!))).toEqual(expected);
    }
  });

  it('refuses damaged and old snapshots', () => {
    const state = new OnlineFeatureState(HANDBOOK, NO_SKEW);
    state.update(tx(0, { t: 0 }));
    state.update(tx(1, { t: 5 }));
    const json = JSON.parse(JSON.stringify(state.toJSON()));
    json.stores[0].entities[0].times = [5, 0];
    expect(() => OnlineFeatureState.fromJSON(json)).toThrow(/out of order/);
    expect(() => OnlineFeatureState.fromJSON({ kind: 'OnlineFeatureState', version: 1 })).toThrow(
      /older version/,
    );
    expect(() => OnlineFeatureState.fromJSON({ kind: 'x' })).toThrow(InvalidArgumentError);
  });
});
