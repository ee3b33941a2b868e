import { Rng } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { OnlineFeatureState } from '../src/index.js';

const DAY = 86_400;

describe('online memory', () => {
  it('stays bounded by active entities × window contents over a long replay', () => {
    // 400 days; each customer is active for 20–50 days somewhere in that span, on its own
    // few terminals, so cards and terminals keep appearing and going quiet.
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

    const state = new OnlineFeatureState();
    let peakEntities = 0;
    let checks = 0;
    let nextCheck = 40 * DAY;
    events.forEach((event, i) => {
      state.update({
        TRANSACTION_ID: i,
        TX_TIME_SECONDS: event.t,
        CUSTOMER_ID: event.customer,
        TERMINAL_ID: event.terminal,
        TX_AMOUNT: 10,
        TX_FRAUD: i % 50 === 0 ? 1 : 0,
      });
      if (event.t < nextCheck) return;
      nextCheck += 10 * DAY;
      checks++;
      const stats = state.stats();
      // An entity's ring holds at most its last 37 days, and an entity is forgotten at most
      // a day after its last transaction is 37 days old: nothing older than 75 days survives.
      let recent = 0;
      const activeCustomers = new Set<number>();
      const activeTerminals = new Set<number>();
      for (let j = i; j >= 0 && events[j]!.t > event.t - 75 * DAY; j--) {
        recent++;
        if (events[j]!.t > event.t - 38 * DAY) {
          activeCustomers.add(events[j]!.customer);
          activeTerminals.add(events[j]!.terminal);
        }
      }
      expect(stats.events).toBeLessThanOrEqual(2 * recent);
      expect(stats.byEntity.CUSTOMER_ID!.entities).toBeLessThanOrEqual(activeCustomers.size);
      expect(stats.byEntity.TERMINAL_ID!.entities).toBeLessThanOrEqual(activeTerminals.size);
      expect(stats.labelIndex).toBe(stats.byEntity.TERMINAL_ID!.events);
      expect(stats.capacity).toBeLessThanOrEqual(4 * stats.events + 32 * stats.entities);
      peakEntities = Math.max(peakEntities, stats.entities);
    });
    expect(checks).toBeGreaterThan(30);
    // Over the whole run 300 customers and ~900 terminals appeared; far fewer are held.
    expect(peakEntities).toBeLessThan(600);
    const final = state.stats();
    // Each transaction is held once per entity column while it matters: a small part of history.
    expect(final.events).toBeLessThan((2 * events.length) / 4);
  });

  it('forgets an idle entity entirely once its newest event is out of every window', () => {
    const state = new OnlineFeatureState();
    const tx = (id: number, t: number, customer: number, terminal: number) =>
      state.update({
        TRANSACTION_ID: id,
        TX_TIME_SECONDS: t,
        CUSTOMER_ID: customer,
        TERMINAL_ID: terminal,
        TX_AMOUNT: 1,
      });
    tx(0, 0, 1, 1);
    tx(1, 29 * DAY, 2, 2);
    expect(state.stats().byEntity).toEqual({
      CUSTOMER_ID: { entities: 2, events: 2, capacity: 16 },
      TERMINAL_ID: { entities: 2, events: 2, capacity: 16 },
    });
    tx(2, 30 * DAY, 2, 2); // customer 1's only event is now 30 days old: out of every window
    expect(state.stats().byEntity.CUSTOMER_ID).toEqual({ entities: 1, events: 2, capacity: 8 });
    expect(state.stats().byEntity.TERMINAL_ID!.entities).toBe(2); // terminals reach back 37 days
    expect(state.stats().labelIndex).toBe(3);
    tx(3, 37 * DAY, 2, 2);
    expect(state.stats().byEntity.TERMINAL_ID!.entities).toBe(1);
    expect(state.stats().labelIndex).toBe(3);
    expect(() => state.recordLabel(0, 1)).toThrow(/not in the state/);
  });
});
