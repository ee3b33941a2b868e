/**
 * Regenerates packages/fraud/fraud-config.schema.json from the zod schema:
 * node --import tsx --conditions=@mlsd/source packages/fraud/scripts/write-config-schema.ts
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FRAUD_CONFIG_SCHEMA_FILE, fraudConfigJsonSchema } from '../src/index.js';

const path = fileURLToPath(new URL(`../${FRAUD_CONFIG_SCHEMA_FILE}`, import.meta.url));
await writeFile(path, `${JSON.stringify(fraudConfigJsonSchema(), null, 2)}\n`);
process.stderr.write(`wrote ${path}\n`);
