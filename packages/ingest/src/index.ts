/**
 * @mlsd/ingest: schema-checked streaming readers into a columnar Table, with a quarantine.
 * @packageDocumentation
 */

export type { ColumnBuilder } from './column-builders.js';
export { createColumnBuilder } from './column-builders.js';
export type { CsvParserOptions, CsvRecordHandler } from './csv-parser.js';
export { CsvParser } from './csv-parser.js';
export { parseDateTimeSeconds } from './parse-datetime.js';
export type { QuarantinedRow } from './quarantine.js';
export { Quarantine } from './quarantine.js';
export type { ReadCsvOptions } from './read-csv.js';
export { readCsv } from './read-csv.js';
export type { ReadJsonlOptions } from './read-jsonl.js';
export { readJsonl } from './read-jsonl.js';
export type { ReadOptions, ReadResult } from './read-options.js';
export type { RowProblem } from './row-builder.js';
export type { ColumnKind, FieldPlan, RowSchema } from './schema-plan.js';
export { planFields } from './schema-plan.js';
export type { TextSource } from './text-source.js';
export { readTextChunks, readTextLines } from './text-source.js';
export type { WriteTableOptions } from './write-table.js';
export { writeCsv, writeJsonl } from './write-table.js';
