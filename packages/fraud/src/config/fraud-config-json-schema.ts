import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { FraudPipelineConfigSchema } from './fraud-config-schema.js';

/** File name of the config's JSON Schema, shipped at the package root. */
export const FRAUD_CONFIG_SCHEMA_FILE = 'fraud-config.schema.json';

/**
 * The JSON Schema (draft 2020-12) of a fraud pipeline config as written (defaults optional), for
 * editors: completion, descriptions and checks as you type. The package ships it as
 * `@mlsd/fraud/fraud-config.schema.json`; `mlsd fraud init` points the draft's `$schema` at it.
 * Cross-field rules (a date column needs a time column, ...) are zod's alone.
 */
export function fraudConfigJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(FraudPipelineConfigSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://mlsd.dev/schemas/fraud-config.schema.json',
    title: 'mlsd fraud pipeline config',
  };
}

/** Where the shipped JSON Schema file is on this machine (for a draft's `$schema`). */
export function fraudConfigSchemaPath(): string {
  // src/config/ and dist/config/ are both two levels below the package root.
  return fileURLToPath(new URL(`../../${FRAUD_CONFIG_SCHEMA_FILE}`, import.meta.url));
}
