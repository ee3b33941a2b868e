/**
 * @mlsd/datasets: the data the examples run on.
 * @packageDocumentation
 */

export type { FashionMnist, ImageSplit } from './fashion-mnist.js';
export {
  FASHION_MNIST_LABELS,
  imageAsFloat,
  imagesAsFloat,
  loadFashionMnist,
  locateFashionMnist,
} from './fashion-mnist.js';
export { readIdx, writeIdx } from './idx-file.js';
export type { IdxArray, IdxDtype } from './idx-format.js';
export { DEFAULT_MAX_IDX_BYTES, encodeIdx, parseIdx } from './idx-format.js';
export { generateCardNumbers, luhnCheckDigit } from './public-layout/card-numbers.js';
export type { PublicLayoutOptions } from './public-layout/public-log.js';
export {
  PUBLIC_LAYOUT_COLUMNS,
  PublicLayoutOptionsSchema,
  PublicTransactionLog,
  toPublicLayout,
  transactionNumber,
} from './public-layout/public-log.js';
export { writePublicLog } from './public-layout/write-public-log.js';
export type { CustomerProfiles } from './simulator/customer-profiles.js';
export { generateCustomerProfiles, MAP_SIZE } from './simulator/customer-profiles.js';
export { CARD_TESTING_AMOUNT, CARD_TESTING_BEFORE_SECOND } from './simulator/drift-scenario.js';
export { DateTimeFormatter } from './simulator/format-datetime.js';
export {
  CUSTOMER_COMPROMISE_DAYS,
  CUSTOMER_FRAUD_AMOUNT_FACTOR,
  CUSTOMERS_COMPROMISED_PER_DAY,
  LARGE_AMOUNT_THRESHOLD,
  TERMINAL_COMPROMISE_DAYS,
  TERMINALS_COMPROMISED_PER_DAY,
} from './simulator/fraud-scenarios.js';
export type {
  CompromisedEntities,
  Simulation,
  SimulationSummary,
} from './simulator/simulate-transactions.js';
export { simulateTransactions } from './simulator/simulate-transactions.js';
export type {
  DriftOptions,
  SimulatorConfig,
  SimulatorOptions,
} from './simulator/simulator-options.js';
export { DriftOptionsSchema, SimulatorOptionsSchema } from './simulator/simulator-options.js';
export type { NearbyTerminals, Points } from './simulator/terminal-grid.js';
export { findNearbyTerminals } from './simulator/terminal-grid.js';
export type { TerminalProfiles } from './simulator/terminal-profiles.js';
export { generateTerminalProfiles } from './simulator/terminal-profiles.js';
export type { TransactionColumn } from './simulator/transaction-columns.js';
export { FRAUD_SCENARIO, TRANSACTION_COLUMNS } from './simulator/transaction-columns.js';
export type { TransactionRow } from './simulator/transaction-schema.js';
export {
  TRANSACTION_COLUMN_KINDS,
  TransactionRowSchema,
} from './simulator/transaction-schema.js';
export type { WriteTransactionsOptions } from './simulator/write-transactions.js';
export {
  transactionsFileFormat,
  writeTransactions,
  writeTransactionsCsv,
  writeTransactionsJsonl,
} from './simulator/write-transactions.js';
