import { Rng, Table } from '@mlsd/core';

/** Options of {@link simulateTransactions}. */
export interface SimulateOptions {
  seed?: number;
  days?: number;
  customers?: number;
  terminals?: number;
  /** Mean transactions per customer per day (each customer draws a rate in [0, 2·mean]). */
  meanPerDay?: number;
}

const DAY = 86_400;

/**
 * A small, deterministic stand-in for the transaction simulator, with the simulator's columns.
 * Besides ordinary traffic it plants what point-in-time features get wrong most easily:
 * transactions at exactly the same second, "echo" transactions exactly 1, 7, 8, 30 and 37 days
 * after another on the same card and terminal (window edges), customers that go quiet for more
 * than the longest window and come back, and compromised terminals with bursts of fraud.
 */
export function simulateTransactions(options: SimulateOptions = {}): Table {
  const { seed = 1, days = 60, customers = 30, terminals = 50, meanPerDay = 2 } = options;
  const rng = new Rng(seed);
  const times: number[] = [];
  const customerIds: number[] = [];
  const terminalIds: number[] = [];
  const amounts: number[] = [];
  const frauds: number[] = [];

  const compromised = new Map<number, number>(); // terminal -> day compromise ends
  for (let c = 0; c < customers; c++) {
    const rate = rng.uniform(0, 2 * meanPerDay);
    const meanAmount = rng.uniform(5, 100);
    const own = Array.from({ length: 4 }, () => rng.integer(0, terminals));
    // A third of the customers pause for 45 days (longer than 30 + 7) in the middle.
    const pause =
      c % 3 === 0 ? { from: Math.floor(days / 5), to: Math.floor(days / 5) + 45 } : undefined;
    for (let day = 0; day < days; day++) {
      if (pause && day >= pause.from && day < pause.to) continue;
      const count = rng.poisson(rate);
      for (let k = 0; k < count; k++) {
        const second = Math.min(DAY - 1, Math.max(0, Math.round(rng.normal(DAY / 2, DAY / 5))));
        const time = day * DAY + second;
        const terminal = rng.choice(own);
        const amount =
          Math.round(Math.max(0.01, rng.normal(meanAmount, meanAmount / 2)) * 100) / 100;
        push(time, c, terminal, amount);
        if (rng.next() < 0.05) push(time, c, rng.choice(own), amount); // same second
        if (rng.next() < 0.04) {
          for (const lag of [1, 7, 8, 30, 37]) {
            if (time + lag * DAY < days * DAY) push(time + lag * DAY, c, terminal, amount + lag);
          }
        }
      }
    }
  }

  function push(time: number, customer: number, terminal: number, amount: number): void {
    const day = Math.floor(time / DAY);
    if (!compromised.has(terminal) && rng.next() < 0.0005) compromised.set(terminal, day + 14);
    const end = compromised.get(terminal);
    const fraud = (end !== undefined && day < end && rng.next() < 0.5) || rng.next() < 0.01;
    times.push(time);
    customerIds.push(customer);
    terminalIds.push(terminal);
    amounts.push(amount);
    frauds.push(fraud ? 1 : 0);
  }

  const order = Array.from(times.keys()).sort((a, b) => times[a]! - times[b]! || a - b);
  const n = order.length;
  const table = {
    TRANSACTION_ID: new Float64Array(n),
    TX_DATETIME: new Array<string>(n),
    CUSTOMER_ID: new Int32Array(n),
    TERMINAL_ID: new Int32Array(n),
    TX_AMOUNT: new Float64Array(n),
    TX_TIME_SECONDS: new Float64Array(n),
    TX_TIME_DAYS: new Int32Array(n),
    TX_FRAUD: new Uint8Array(n),
  };
  order.forEach((from, i) => {
    table.TRANSACTION_ID[i] = i;
    table.TX_DATETIME[i] = new Date(Date.UTC(2018, 3, 1) + times[from]! * 1000)
      .toISOString()
      .replace('T', ' ')
      .slice(0, 19);
    table.CUSTOMER_ID[i] = customerIds[from]!;
    table.TERMINAL_ID[i] = terminalIds[from]!;
    table.TX_AMOUNT[i] = amounts[from]!;
    table.TX_TIME_SECONDS[i] = times[from]!;
    table.TX_TIME_DAYS[i] = Math.floor(times[from]! / DAY);
    table.TX_FRAUD[i] = frauds[from]!;
  });
  return new Table(table);
}

/** Row `i` of a table as the object {@link OnlineFeatureState.update} takes. */
export function transactionAt(table: Table, i: number): Record<string, number | string> {
  const row = table.row(i);
  const out: Record<string, number | string> = {};
  for (const [key, value] of Object.entries(row)) if (value !== undefined) out[key] = value;
  return out;
}
