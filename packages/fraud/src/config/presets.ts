import type { FraudPipelineConfigInput } from './fraud-config-schema.js';

/**
 * The handbook preset's columns: the simulator's (Le Borgne et al. 2022, §3.2), the time read
 * from `TX_TIME_SECONDS` (seconds since 2018-04-01 00:00 UTC, the simulator's default start),
 * customers as the card entity and terminals as the merchant entity, each named after its
 * column (the handbook's feature names start with them). `TX_FRAUD_SCENARIO` is something only a
 * simulator has: left out, like the redundant date-time and day columns.
 */
export const HANDBOOK_COLUMNS = Object.freeze({
  transactionId: 'TRANSACTION_ID',
  time: { column: 'TX_TIME_SECONDS', format: 'seconds-since', origin: '2018-04-01' },
  timezone: 'UTC',
  amount: 'TX_AMOUNT',
  label: { column: 'TX_FRAUD', fraud: ['1'], genuine: ['0'] },
  labelDelay: { days: 7 },
  entities: { CUSTOMER_ID: ['CUSTOMER_ID'], TERMINAL_ID: ['TERMINAL_ID'] },
  numeric: [],
  categorical: [],
  ignore: ['TX_DATETIME', 'TX_TIME_DAYS', 'TX_FRAUD_SCENARIO'],
}) satisfies NonNullable<FraudPipelineConfigInput['columns']>;

/** The handbook preset's protocol: train 7 days from 2018-07-25, 7-day delay, 7 test days. */
export const HANDBOOK_PROTOCOL = Object.freeze({
  trainDays: 7,
  delayDays: 7,
  testDays: 7,
  trainStart: '2018-07-25',
  dailyBudget: 100,
  cardEntity: 'CUSTOMER_ID',
  dropKnownCompromised: true,
}) satisfies FraudPipelineConfigInput['protocol'];

/**
 * Fills a config's sections from its preset before validation: with `"preset": "handbook"` or
 * `"handbook+"`, missing `columns` become {@link HANDBOOK_COLUMNS}, and `protocol` keys not
 * given take {@link HANDBOOK_PROTOCOL}'s values. Features are filled when the config is resolved
 * (the handbook's 15; for "handbook+" the kept groups' after them). Input that is not a preset
 * config is returned as it is.
 */
export function applyPreset(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const config = input as Record<string, unknown>;
  if (config.preset !== 'handbook' && config.preset !== 'handbook+') return input;
  const protocol =
    config.protocol !== null && typeof config.protocol === 'object' ? config.protocol : {};
  return {
    ...config,
    columns: config.columns ?? structuredClone(HANDBOOK_COLUMNS),
    protocol: { ...HANDBOOK_PROTOCOL, ...protocol },
  };
}

/**
 * One transaction with the simulator's columns: a raw record of the handbook preset (what the
 * service and `FraudScorer` take for a handbook model). The label is optional (a replay).
 */
export type HandbookTransaction = {
  TRANSACTION_ID: number;
  /** Seconds since 2018-04-01 00:00 UTC. */
  TX_TIME_SECONDS: number;
  CUSTOMER_ID: number;
  TERMINAL_ID: number;
  TX_AMOUNT: number;
  TX_FRAUD?: 0 | 1;
  TX_DATETIME?: string;
  TX_TIME_DAYS?: number;
  TX_FRAUD_SCENARIO?: number;
};
