import { z } from 'zod';

/**
 * A row schema with one required numeric field, for reading a KS sample from a CSV column
 * with `@mlsd/ingest`'s `readCsv` (rows whose cell is empty or not a number are refused).
 */
export function numericColumnSchema(column: string): z.ZodObject<z.ZodRawShape> {
  return z.object({ [column]: z.number() });
}
