import { access } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { InvalidArgumentError, writeFileAtomic } from '@mlsd/core';
import type { TextSource } from '@mlsd/ingest';
import { fraudConfigSchemaPath } from '../config/fraud-config-json-schema.js';
import { parseFraudConfig } from '../config/parse-fraud-config.js';
import { type InferredConfig, inferFraudConfig } from './infer-fraud-config.js';
import { readLogSample } from './read-log-sample.js';

/** Options of {@link draftFraudConfig}. */
export interface DraftFraudConfigOptions {
  /** Where to write the draft; its `$schema` is the shipped schema's path relative to it. */
  out: string;
  /** Rows read from the start of the log (default 50,000). */
  sampleRows?: number;
  /** Replace an existing file (default: refuse). */
  force?: boolean;
  /** Name of the input in messages (default: the path). */
  name?: string;
}

/**
 * `mlsd fraud init`: reads a sample of a log, infers a config ({@link inferFraudConfig}),
 * checks that the draft is a valid config and writes it (atomically) for the user to edit.
 * @throws InvalidArgumentError when `out` exists and `force` is not set; the errors of
 *   {@link inferFraudConfig} when the sample has no time or id column.
 */
export async function draftFraudConfig(
  source: TextSource,
  options: DraftFraudConfigOptions,
): Promise<InferredConfig & { out: string }> {
  const out = resolve(options.out);
  if (options.force !== true && (await exists(out))) {
    throw new InvalidArgumentError(
      `${options.out} already exists; pass --force to replace it, or choose another --out.`,
      { file: out },
    );
  }
  const sample = await readLogSample(source, {
    maxRows: options.sampleRows ?? 50_000,
    ...(options.name === undefined ? {} : { name: options.name }),
  });
  const schemaRef = relative(dirname(out), fraudConfigSchemaPath()).split(sep).join('/');
  const inferred = inferFraudConfig(sample, { schemaRef });
  // The draft must be a config the pipeline accepts as it is.
  parseFraudConfig(inferred.config, 'the inferred draft');
  await writeFileAtomic(out, `${JSON.stringify(inferred.config, null, 2)}\n`);
  return { ...inferred, out };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
