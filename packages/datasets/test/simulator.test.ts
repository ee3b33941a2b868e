import { InvalidArgumentError } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import {
  CUSTOMER_COMPROMISE_DAYS,
  FRAUD_SCENARIO,
  LARGE_AMOUNT_THRESHOLD,
  type Simulation,
  simulateTransactions,
  TERMINAL_COMPROMISE_DAYS,
  TRANSACTION_COLUMNS,
} from '../src/index.js';

/** P(0 ≤ Normal(43,200, 20,000) < 86,400): the share of drawn times kept inside the day (scipy). */
const P_TIME_IN_DAY = 0.969227330432149;
/**
 * E[amount] / mean for Normal(μ, μ/2) with a negative draw replaced by U(0, 2μ):
 * E[X; X ≥ 0] + P(X < 0)·μ = μ·(Φ(2) + φ(2)/2 + Φ(−2)) (scipy).
 */
const AMOUNT_MEAN_FACTOR = 1.026995483256594;

const SMALL = { customers: 200, terminals: 400, days: 30 } as const;

/** True when both arrays hold the same values (much faster than toEqual on large typed arrays). */
function sameValues(a: ArrayLike<unknown>, b: ArrayLike<unknown>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function ints(sim: Simulation, name: string): ArrayLike<number> {
  return sim.table.numeric(name);
}

/** Expected transaction count given the profiles: Σ over customers with a terminal of λ · days · P(time in day). */
function expectedTransactions(sim: Simulation): number {
  const { customers, nearbyTerminals, config } = sim;
  let rate = 0;
  for (let c = 0; c < customers.count; c++) {
    if (nearbyTerminals.offsets[c + 1]! > nearbyTerminals.offsets[c]!) {
      rate += customers.meanTransactionsPerDay[c]!;
    }
  }
  return rate * config.days * P_TIME_IN_DAY;
}

describe('simulateTransactions: the genuine transactions', () => {
  it('makes as many transactions as the profiles imply, within 4 Poisson standard deviations', () => {
    // Given the profiles, the count is a sum of independent Poisson draws thinned by the
    // time-in-day filter, so it is Poisson with mean μ and sd √μ. Pooling five seeds (μ ≈ 5·10⁴)
    // makes 4√μ ≈ 1.7 % of μ: tight enough to catch a missing in-day filter (3.1 %) or a
    // customer without terminals still transacting (~5 % of customers at this density).
    let observed = 0;
    let expected = 0;
    let withoutTerminal = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const sim = simulateTransactions({ ...SMALL, seed });
      observed += sim.summary.transactions;
      expected += expectedTransactions(sim);
      withoutTerminal += sim.summary.customersWithoutTerminal;
      expect(sim.table.length).toBe(sim.summary.transactions);
    }
    expect(Math.abs(observed - expected)).toBeLessThan(4 * Math.sqrt(expected));
    // At 400 terminals a customer expects π·5²·0.04 ≈ 3.1 terminals in reach, so e^−3.1 ≈ 4 %
    // have none: the test configuration really exercises that rule.
    expect(withoutTerminal).toBeGreaterThan(5);
  });

  it('the default configuration gives totals within 3 % of the handbook reference', () => {
    const { summary } = simulateTransactions({ seed: 0 });
    // Le Borgne et al. (2022): 1,754,155 transactions, 14,681 frauds.
    expect(Math.abs(summary.transactions / 1_754_155 - 1)).toBeLessThan(0.03);
    expect(Math.abs(summary.frauds / 14_681 - 1)).toBeLessThan(0.03);
    expect(summary.customersWithoutTerminal).toBe(0);
  });

  it('has the handbook columns, sorted by time, with consistent times and ids', () => {
    const sim = simulateTransactions({ ...SMALL, seed: 3, startDate: '2020-02-27' });
    const { table } = sim;
    expect(table.columnNames).toEqual([...TRANSACTION_COLUMNS]);
    expect(table.column('CUSTOMER_ID')).toBeInstanceOf(Int32Array);
    expect(table.column('TERMINAL_ID')).toBeInstanceOf(Int32Array);
    expect(table.column('TRANSACTION_ID')).toBeInstanceOf(Int32Array);
    expect(table.column('TX_AMOUNT')).toBeInstanceOf(Float64Array);
    expect(table.column('TX_DATETIME')).toBeInstanceOf(Float64Array);
    const seconds = ints(sim, 'TX_TIME_SECONDS');
    const days = ints(sim, 'TX_TIME_DAYS');
    const datetime = ints(sim, 'TX_DATETIME');
    const ids = ints(sim, 'TRANSACTION_ID');
    const origin = Date.UTC(2020, 1, 27) / 1000;
    let bad = 0;
    for (let i = 0; i < table.length; i++) {
      if (ids[i] !== i) bad++;
      if (i > 0 && seconds[i]! < seconds[i - 1]!) bad++;
      if (days[i] !== Math.floor(seconds[i]! / 86_400)) bad++;
      if (datetime[i] !== origin + seconds[i]!) bad++;
    }
    expect(bad).toBe(0);
    expect(table.length).toBeGreaterThan(5_000);
    expect(days[table.length - 1]).toBe(SMALL.days - 1);
    // 2020 is a leap year: day 2 is 29 February.
    const leapDay = Array.from(days).indexOf(2);
    expect(new Date(datetime[leapDay]! * 1000).toISOString().slice(0, 10)).toBe('2020-02-29');
  });

  it('pays only at terminals strictly within the radius', () => {
    const sim = simulateTransactions({ ...SMALL, seed: 4, radius: 7.5 });
    const customers = ints(sim, 'CUSTOMER_ID');
    const terminals = ints(sim, 'TERMINAL_ID');
    let worst = 0;
    for (let i = 0; i < sim.table.length; i++) {
      const c = customers[i]!;
      const t = terminals[i]!;
      const d = Math.hypot(
        sim.customers.x[c]! - sim.terminals.x[t]!,
        sim.customers.y[c]! - sim.terminals.y[t]!,
      );
      worst = Math.max(worst, d);
    }
    expect(worst).toBeLessThan(7.5);
    expect(worst).toBeGreaterThan(7);
  });

  it('draws amounts Normal(mean, mean/2), negatives redrawn, rounded to cents', () => {
    let observed = 0;
    let expected = 0;
    let rows = 0;
    for (let seed = 1; seed <= 3; seed++) {
      const sim = simulateTransactions({ ...SMALL, seed, scenarios: false });
      const amounts = sim.table.numeric('TX_AMOUNT');
      const customers = ints(sim, 'CUSTOMER_ID');
      let bad = 0;
      for (let i = 0; i < amounts.length; i++) {
        const a = amounts[i]!;
        if (!(a >= 0) || Math.abs(a * 100 - Math.round(a * 100)) > 1e-6) bad++;
        observed += a;
        expected += AMOUNT_MEAN_FACTOR * sim.customers.meanAmount[customers[i]!]!;
      }
      rows += amounts.length;
      expect(bad).toBe(0);
      expect(sim.summary.frauds).toBe(0);
    }
    // Per row the amount has sd ≈ mean/2 ≤ 50, so over ~3·10⁴ rows the mean's sd is < 0.3;
    // 1 % of a mean near 55 is several standard deviations.
    expect(Math.abs(observed / expected - 1)).toBeLessThan(0.01);
    expect(rows).toBeGreaterThan(20_000);
  });
});

describe('simulateTransactions: the fraud scenarios', () => {
  const seed = 11;
  const sim = simulateTransactions({ customers: 2_000, terminals: 1_000, days: 40, seed });
  const plain = simulateTransactions({
    customers: 2_000,
    terminals: 1_000,
    days: 40,
    seed,
    scenarios: false,
  });
  const n = sim.table.length;
  const amount = sim.table.numeric('TX_AMOUNT');
  const plainAmount = plain.table.numeric('TX_AMOUNT');
  const fraud = sim.table.numeric('TX_FRAUD');
  const scenario = sim.table.numeric('TX_FRAUD_SCENARIO');
  const customer = ints(sim, 'CUSTOMER_ID');
  const terminal = ints(sim, 'TERMINAL_ID');
  const day = ints(sim, 'TX_TIME_DAYS');

  it('leave the genuine transactions in place: only amounts of scenario-3 rows change', () => {
    expect(plain.table.length).toBe(n);
    for (const name of ['TX_TIME_SECONDS', 'CUSTOMER_ID', 'TERMINAL_ID']) {
      expect(sameValues(sim.table.numeric(name), plain.table.numeric(name))).toBe(true);
    }
    let bad = 0;
    for (let i = 0; i < n; i++) {
      if (scenario[i] !== FRAUD_SCENARIO.compromisedCustomer && amount[i] !== plainAmount[i]) bad++;
      if (fraud[i] !== (scenario[i] === 0 ? 0 : 1)) bad++;
    }
    expect(bad).toBe(0);
  });

  it('scenario 1: a transaction is fraud whenever its drawn amount is above 220', () => {
    let large = 0;
    let bad = 0;
    for (let i = 0; i < n; i++) {
      if (plainAmount[i]! > LARGE_AMOUNT_THRESHOLD) {
        large++;
        if (fraud[i] !== 1) bad++;
      }
      if (
        scenario[i] === FRAUD_SCENARIO.largeAmount &&
        !(plainAmount[i]! > LARGE_AMOUNT_THRESHOLD)
      ) {
        bad++;
      }
      // Whatever the label, every amount above 220 is a fraud.
      if (amount[i]! > LARGE_AMOUNT_THRESHOLD && fraud[i] !== 1) bad++;
    }
    expect(bad).toBe(0);
    expect(large).toBeGreaterThan(0);
    expect(sim.summary.byScenario['1']).toBeGreaterThan(0);
    expect(sim.summary.byScenario['1']).toBeLessThanOrEqual(large);
  });

  it('scenario 2: exactly the transactions of compromised terminals within 28 days', () => {
    const { terminals, terminalsPerDay } = sim.compromised;
    expect(terminalsPerDay).toBe(2);
    expect(terminals.length).toBe(2 * 40);
    const startDays = new Map<number, number[]>();
    for (let k = 0; k < terminals.length; k++) {
      const list = startDays.get(terminals[k]!) ?? [];
      list.push(Math.floor(k / terminalsPerDay));
      startDays.set(terminals[k]!, list);
      if (k % 2 === 1) expect(terminals[k]).not.toBe(terminals[k - 1]);
    }
    let inWindow = 0;
    let bad = 0;
    for (let i = 0; i < n; i++) {
      const compromised = (startDays.get(terminal[i]!) ?? []).some(
        (d) => d <= day[i]! && day[i]! < d + TERMINAL_COMPROMISE_DAYS,
      );
      if (compromised) {
        inWindow++;
        // Scenario 3 runs later and may relabel; the row stays a fraud either way.
        const label = scenario[i];
        if (
          fraud[i] !== 1 ||
          (label !== FRAUD_SCENARIO.compromisedTerminal &&
            label !== FRAUD_SCENARIO.compromisedCustomer)
        ) {
          bad++;
        }
      } else if (scenario[i] === FRAUD_SCENARIO.compromisedTerminal) {
        bad++;
      }
    }
    expect(bad).toBe(0);
    expect(inWindow).toBeGreaterThan(100);
    expect(sim.summary.byScenario['2']).toBeGreaterThan(0.9 * inWindow);
  });

  it('scenario 3: a third of each compromised customer pool, amounts × 5', () => {
    const { customers, customersPerDay } = sim.compromised;
    expect(customersPerDay).toBe(3);
    const pools: number[][] = [];
    const poolsOfRow = new Int32Array(n);
    for (let d = 0; d < 40; d++) {
      const chosen = new Set(customers.subarray(d * 3, d * 3 + 3));
      expect(chosen.size).toBe(3);
      const pool: number[] = [];
      for (let i = 0; i < n; i++) {
        if (chosen.has(customer[i]!) && day[i]! >= d && day[i]! < d + CUSTOMER_COMPROMISE_DAYS) {
          pool.push(i);
          poolsOfRow[i]!++;
        }
      }
      pools.push(pool);
    }
    let union = 0;
    let selectedUpperBound = 0;
    for (let i = 0; i < n; i++) {
      if (poolsOfRow[i]! > 0) union++;
      else if (scenario[i] === FRAUD_SCENARIO.compromisedCustomer) {
        throw new Error(`row ${i}: scenario 3 outside every compromised customer's window`);
      }
    }
    let exactPools = 0;
    for (const pool of pools) {
      selectedUpperBound += Math.floor(pool.length / 3);
      // A pool sharing no row with another is drawn once: exactly ⌊size / 3⌋ of it, amounts × 5.
      if (pool.every((i) => poolsOfRow[i] === 1)) {
        exactPools++;
        const picked = pool.filter((i) => scenario[i] === FRAUD_SCENARIO.compromisedCustomer);
        expect(picked.length).toBe(Math.floor(pool.length / 3));
        for (const i of picked) expect(amount[i]).toBeCloseTo(plainAmount[i]! * 5, 9);
        for (const i of pool) {
          if (scenario[i] !== FRAUD_SCENARIO.compromisedCustomer)
            expect(amount[i]).toBe(plainAmount[i]);
        }
      }
    }
    expect(exactPools).toBeGreaterThan(20);
    const count = sim.summary.byScenario['3'];
    expect(count).toBeLessThanOrEqual(selectedUpperBound);
    expect(count / union).toBeGreaterThan(0.3);
    expect(count / union).toBeLessThan(0.37);
  });

  it('summary counts match the columns', () => {
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < n; i++) counts[scenario[i]!]!++;
    expect(sim.summary.byScenario).toEqual({
      '0': counts[0],
      '1': counts[1],
      '2': counts[2],
      '3': counts[3],
      '4': 0,
    });
    expect(sim.summary.frauds).toBe(n - counts[0]!);
    expect(sim.summary.fraudShare).toBeCloseTo(sim.summary.frauds / n, 12);
  });
});

describe('simulateTransactions: determinism, drift and options', () => {
  it('same seed, same table; another seed, another table', () => {
    const a = simulateTransactions({ ...SMALL, seed: 5 }).table;
    const b = simulateTransactions({ ...SMALL, seed: 5 }).table;
    const c = simulateTransactions({ ...SMALL, seed: 6 }).table;
    for (const name of TRANSACTION_COLUMNS) {
      expect(sameValues(b.numeric(name), a.numeric(name))).toBe(true);
    }
    expect(c.length).not.toBe(a.length);
  });

  it('amount-shift multiplies amounts from the given day on', () => {
    const options = { ...SMALL, seed: 8, scenarios: false } as const;
    const base = simulateTransactions(options);
    const shifted = simulateTransactions({
      ...options,
      drift: { kind: 'amount-shift', fromDay: 20, strength: 1.5 },
    });
    expect(shifted.config.drift).toEqual({ kind: 'amount-shift', fromDay: 20, strength: 1.5 });
    const mean = (sim: Simulation, from: number, to: number): number => {
      const amounts = sim.table.numeric('TX_AMOUNT');
      const days = ints(sim, 'TX_TIME_DAYS');
      let sum = 0;
      let count = 0;
      for (let i = 0; i < amounts.length; i++) {
        if (days[i]! >= from && days[i]! < to) {
          sum += amounts[i]!;
          count++;
        }
      }
      return sum / count;
    };
    // Same random stream: days before the shift are identical, later ones scaled by 1.5
    // (up to the cents rounding and the rare negative redraw, which scales too).
    expect(mean(shifted, 0, 20)).toBe(mean(base, 0, 20));
    expect(mean(shifted, 20, 30) / mean(base, 20, 30)).toBeCloseTo(1.5, 3);
  });

  it('new-fraud-pattern adds small night-time frauds labelled 4 from the given day on', () => {
    const sim = simulateTransactions({
      ...SMALL,
      customers: 1_000,
      seed: 9,
      drift: { kind: 'new-fraud-pattern', fromDay: 10 },
    });
    expect(sim.config.drift).toEqual({ kind: 'new-fraud-pattern', fromDay: 10, strength: 0.1 });
    const seconds = ints(sim, 'TX_TIME_SECONDS');
    const days = ints(sim, 'TX_TIME_DAYS');
    const amounts = sim.table.numeric('TX_AMOUNT');
    const scenario = sim.table.numeric('TX_FRAUD_SCENARIO');
    let candidates = 0;
    let marked = 0;
    for (let i = 0; i < sim.table.length; i++) {
      const night = seconds[i]! - days[i]! * 86_400 < 6 * 3600;
      if (night && days[i]! >= 10) candidates++;
      if (scenario[i] === FRAUD_SCENARIO.driftPattern) {
        marked++;
        expect(night && days[i]! >= 10).toBe(true);
        expect(amounts[i]).toBeGreaterThanOrEqual(0.5);
        expect(amounts[i]).toBeLessThanOrEqual(5);
      }
    }
    expect(sim.summary.byScenario['4']).toBe(marked);
    // Binomial(candidates ≈ 2,500, 0.1): sd ≈ 15 of a mean near 250.
    expect(Math.abs(marked - 0.1 * candidates)).toBeLessThan(4 * Math.sqrt(candidates * 0.09));
  });

  it('refuses bad options with a message naming each field', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ customers: 0 }, /customers/],
      [{ days: 1.5 }, /days/],
      [{ startDate: '2018-02-30' }, /startDate: must be a real date/],
      [{ startDate: '01/04/2018' }, /startDate/],
      [{ radius: -1 }, /radius/],
      [{ seed: Number.NaN }, /seed/],
      [{ customer: 10 }, /customer/],
      [
        { drift: { kind: 'amount-shift', fromDay: 183 } },
        /drift\.fromDay: must be below days \(183\)/,
      ],
      [{ drift: { kind: 'new-fraud-pattern', fromDay: 1, strength: 2 } }, /drift\.strength/],
      [{ drift: { kind: 'gradual', fromDay: 1 } }, /drift\.kind/],
    ];
    for (const [options, message] of bad) {
      expect(() => simulateTransactions(options as never)).toThrow(InvalidArgumentError);
      expect(() => simulateTransactions(options as never)).toThrow(message);
    }
  });
});
