/**
 * Column names of a simulated transactions table, as Le Borgne et al. (2022) name them, so
 * that data made with the handbook's own simulator can be used in their place.
 */
export const TRANSACTION_COLUMNS = Object.freeze([
  'TRANSACTION_ID',
  'TX_DATETIME',
  'CUSTOMER_ID',
  'TERMINAL_ID',
  'TX_AMOUNT',
  'TX_TIME_SECONDS',
  'TX_TIME_DAYS',
  'TX_FRAUD',
  'TX_FRAUD_SCENARIO',
] as const);

/** One of {@link TRANSACTION_COLUMNS}. */
export type TransactionColumn = (typeof TRANSACTION_COLUMNS)[number];

/**
 * Values of `TX_FRAUD_SCENARIO`: 0 genuine; 1 amount above 220; 2 compromised terminal;
 * 3 compromised customer; 4 the drift option's new fraud pattern (only with that option).
 */
export const FRAUD_SCENARIO = Object.freeze({
  genuine: 0,
  largeAmount: 1,
  compromisedTerminal: 2,
  compromisedCustomer: 3,
  driftPattern: 4,
} as const);

/** Seconds in one day. */
export const SECONDS_PER_DAY = 86_400;
