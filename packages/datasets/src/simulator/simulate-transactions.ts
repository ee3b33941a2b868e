import { createProgress, parseOptions, Rng, Table } from '@mlsd/core';
import { type CustomerProfiles, generateCustomerProfiles } from './customer-profiles.js';
import { markCardTesting } from './drift-scenario.js';
import {
  markCompromisedCustomers,
  markCompromisedTerminals,
  markLargeAmounts,
  type ScenarioColumns,
} from './fraud-scenarios.js';
import { generateGenuineTransactions } from './generate-transactions.js';
import { groupRowsByEntity } from './rows-by-entity.js';
import {
  dateToEpochSeconds,
  type SimulatorConfig,
  type SimulatorOptions,
  SimulatorOptionsSchema,
} from './simulator-options.js';
import { findNearbyTerminals, type NearbyTerminals } from './terminal-grid.js';
import { generateTerminalProfiles, type TerminalProfiles } from './terminal-profiles.js';
import { FRAUD_SCENARIO } from './transaction-columns.js';

/** Totals of one simulation, for printing and for checks. */
export interface SimulationSummary {
  transactions: number;
  frauds: number;
  /** frauds / transactions (0 when there are none). */
  fraudShare: number;
  /**
   * Transactions per `TX_FRAUD_SCENARIO` label, after the later scenarios relabelled earlier
   * ones: "0" genuine, "1" amount above 220, "2" compromised terminal, "3" compromised
   * customer, "4" the drift option's new pattern.
   */
  byScenario: Record<'0' | '1' | '2' | '3' | '4', number>;
  /** Customers with no terminal within the radius (they make no transactions). */
  customersWithoutTerminal: number;
  /** Mean number of terminals within the radius of a customer. */
  meanNearbyTerminals: number;
  /** Wall-clock time of the simulation, in seconds. */
  seconds: number;
}

/** Which entities the fraud scenarios compromised, day by day. */
export interface CompromisedEntities {
  /** Scenario 2: terminals per day, day-major (day d at [d·k, d·k + k), k = `terminalsPerDay`). */
  terminals: Int32Array;
  terminalsPerDay: number;
  /** Scenario 3: customers per day, day-major (day d at [d·k, d·k + k), k = `customersPerDay`). */
  customers: Int32Array;
  customersPerDay: number;
}

/** What {@link simulateTransactions} returns. */
export interface Simulation {
  /**
   * The transactions sorted by time, with the handbook's columns: `TRANSACTION_ID`,
   * `CUSTOMER_ID`, `TERMINAL_ID`, `TX_TIME_SECONDS` (since midnight of the start date) and
   * `TX_TIME_DAYS` as Int32Array; `TX_DATETIME` as seconds since the Unix epoch (Float64Array,
   * wall-clock time read as UTC, as @mlsd/ingest stores a 'datetime' column); `TX_AMOUNT` as
   * Float64Array; `TX_FRAUD` (0/1) and `TX_FRAUD_SCENARIO` as Uint8Array.
   */
  table: Table;
  customers: CustomerProfiles;
  terminals: TerminalProfiles;
  /** The terminals each customer may use. */
  nearbyTerminals: NearbyTerminals;
  /** Empty arrays when the scenarios are off. */
  compromised: CompromisedEntities;
  /** The options used, defaults filled in. */
  config: SimulatorConfig;
  summary: SimulationSummary;
}

/**
 * Simulates card transactions with frauds as Le Borgne et al. (2022), *Reproducible Machine
 * Learning for Credit Card Fraud Detection – Practical Handbook*, section 3.2 specifies:
 * customers and terminals on a 100 × 100 map, each customer paying at the terminals within
 * `radius`, Poisson transactions per day around noon, and three fraud scenarios (amount above
 * 220; 2 terminals compromised a day for 28 days; 3 customers compromised a day for 14 days,
 * a third of their transactions with amounts × 5). Deterministic for a seed.
 *
 * @example
 * ```ts
 * const { table, summary } = simulateTransactions({ customers: 500, terminals: 1000, days: 30, seed: 1 });
 * console.log(summary.transactions, summary.frauds);
 * ```
 * @throws InvalidArgumentError for bad options, listing every problem.
 */
export function simulateTransactions(options: SimulatorOptions = {}): Simulation {
  const config = parseOptions(SimulatorOptionsSchema, options, 'simulateTransactions options');
  const started = performance.now();
  const rng = new Rng(config.seed);
  const customers = generateCustomerProfiles(rng.fork('customers'), config.customers);
  const terminals = generateTerminalProfiles(rng.fork('terminals'), config.terminals);
  const nearbyTerminals = findNearbyTerminals(customers, terminals, config.radius);

  const progress = createProgress({
    label: 'simulating transactions',
    total: config.days,
    unit: 'days',
    ...(config.progress === undefined ? {} : { enabled: config.progress }),
  });
  const { drift } = config;
  const genuine = generateGenuineTransactions(
    rng.fork('transactions'),
    customers,
    nearbyTerminals,
    {
      days: config.days,
      amountShift:
        drift?.kind === 'amount-shift'
          ? { fromDay: drift.fromDay, factor: drift.strength }
          : undefined,
      progress,
    },
  );

  const n = genuine.seconds.length;
  const columns: ScenarioColumns = {
    days: genuine.days,
    customers: genuine.customers,
    terminals: genuine.terminals,
    amounts: genuine.amounts,
    fraud: new Uint8Array(n),
    scenario: new Uint8Array(n),
  };
  let compromised: CompromisedEntities = {
    terminals: new Int32Array(0),
    terminalsPerDay: 0,
    customers: new Int32Array(0),
    customersPerDay: 0,
  };
  if (config.scenarios) {
    markLargeAmounts(columns);
    const byTerminal = groupRowsByEntity(genuine.terminals, terminals.count);
    const compromisedTerminals = markCompromisedTerminals(
      rng.fork('compromised-terminals'),
      columns,
      byTerminal,
      terminals.count,
      config.days,
    );
    const byCustomer = groupRowsByEntity(genuine.customers, customers.count);
    const compromisedCustomers = markCompromisedCustomers(
      rng.fork('compromised-customers'),
      columns,
      byCustomer,
      customers.count,
      config.days,
    );
    compromised = {
      terminals: compromisedTerminals,
      terminalsPerDay: compromisedTerminals.length / config.days,
      customers: compromisedCustomers,
      customersPerDay: compromisedCustomers.length / config.days,
    };
  }
  if (drift?.kind === 'new-fraud-pattern') {
    markCardTesting(
      rng.fork('drift'),
      { ...columns, seconds: genuine.seconds },
      drift.fromDay,
      drift.strength,
    );
  }

  const origin = dateToEpochSeconds(config.startDate);
  const transactionIds = new Int32Array(n);
  const datetimes = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    transactionIds[i] = i;
    datetimes[i] = origin + genuine.seconds[i]!;
  }
  const table = new Table({
    TRANSACTION_ID: transactionIds,
    TX_DATETIME: datetimes,
    CUSTOMER_ID: genuine.customers,
    TERMINAL_ID: genuine.terminals,
    TX_AMOUNT: genuine.amounts,
    TX_TIME_SECONDS: genuine.seconds,
    TX_TIME_DAYS: genuine.days,
    TX_FRAUD: columns.fraud,
    TX_FRAUD_SCENARIO: columns.scenario,
  });

  const counts = new Float64Array(FRAUD_SCENARIO.driftPattern + 1);
  for (let i = 0; i < n; i++) counts[columns.scenario[i]!]!++;
  const byScenario = {
    '0': counts[0]!,
    '1': counts[1]!,
    '2': counts[2]!,
    '3': counts[3]!,
    '4': counts[4]!,
  };
  const frauds = n - byScenario['0'];
  let customersWithoutTerminal = 0;
  for (let c = 0; c < customers.count; c++) {
    if (nearbyTerminals.offsets[c + 1] === nearbyTerminals.offsets[c]) customersWithoutTerminal++;
  }
  const seconds = (performance.now() - started) / 1000;
  progress.finish(
    `${n.toLocaleString('en-US')} transactions, ${frauds.toLocaleString('en-US')} frauds`,
  );
  return {
    table,
    customers,
    terminals,
    nearbyTerminals,
    compromised,
    config,
    summary: {
      transactions: n,
      frauds,
      fraudShare: n === 0 ? 0 : frauds / n,
      byScenario,
      customersWithoutTerminal,
      meanNearbyTerminals: nearbyTerminals.terminals.length / customers.count,
      seconds,
    },
  };
}
