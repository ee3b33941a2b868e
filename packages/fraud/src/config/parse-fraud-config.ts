import { readFile } from 'node:fs/promises';
import { findNearestName, InvalidArgumentError, NotFoundError } from '@mlsd/core';
import type { z } from 'zod';
import { type FraudPipelineConfig, FraudPipelineConfigSchema } from './fraud-config-schema.js';
import { applyPreset } from './presets.js';

/** One problem of a config: where (a key path such as `columns.label.fraud[0]`) and what. */
export interface ConfigProblem {
  path: string;
  message: string;
}

/**
 * Validates a fraud pipeline config (parsed JSON) and fills in its defaults (a preset's
 * columns and protocol first, see `applyPreset`).
 * @param source - what the config is, for messages ("fraud.config.json").
 * @throws InvalidArgumentError listing every problem: its key path, what was found there and
 *   what to do (an unknown key names the nearest allowed one).
 */
export function parseFraudConfig(input: unknown, source = 'fraud config'): FraudPipelineConfig {
  const result = FraudPipelineConfigSchema.safeParse(applyPreset(input));
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => describeIssue(issue, input));
  throw configError(source, problems, result.error);
}

/**
 * Reads and validates a fraud pipeline config file.
 * @throws NotFoundError when the file is missing; InvalidArgumentError for text that is not
 *   JSON (with the position) or a config with problems (see {@link parseFraudConfig}).
 */
export async function readFraudConfig(path: string): Promise<FraudPipelineConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(
        `Config file ${path} does not exist; draft one with \`mlsd fraud init --in <data> --out ${path}\`.`,
        { file: path },
      );
    }
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(
      `${path} is not valid JSON: ${(error as Error).message}. Fix the file (an editor that knows the config's $schema helps).`,
      { file: path },
    );
  }
  return parseFraudConfig(json, path);
}

/**
 * The error for a list of problems, on one line (the command line prints one line per failure):
 * `<source> has 2 problems: <path>: <message>; <path>: <message>`.
 */
export function configError(
  source: string,
  problems: readonly ConfigProblem[],
  cause?: unknown,
): InvalidArgumentError {
  const parts = problems.map((problem) => `${problem.path || '(top level)'}: ${problem.message}`);
  return new InvalidArgumentError(
    `${source} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}: ${parts.join('; ')}`,
    { source, problems },
    cause === undefined ? undefined : { cause },
  );
}

/** Formats a key path as property access: `columns.entities.card[0]`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** Short text of a found value for a message. */
export function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): ConfigProblem {
  const path = formatKeyPath(issue.path);
  const found = valueAt(input, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(found, issue.path);
      // Inside a union (a feature definition) the schema names the keys itself.
      if (allowed.length === 0) return { path, message: issue.message };
      return {
        path,
        message: issue.keys
          .map((key) => {
            const nearest = findNearestName(key, allowed);
            return `unknown key "${key}"${nearest === undefined ? '' : ` (did you mean "${nearest}"?)`}`;
          })
          .join(', ')
          .concat(allowed.length > 0 ? ` (allowed keys: ${allowed.join(', ')})` : ''),
      };
    }
    case 'invalid_type':
      return {
        path,
        message:
          found === undefined
            ? `missing; expected ${issue.expected}`
            : `expected ${issue.expected}, found ${describeFound(found)}`,
      };
    case 'invalid_value': {
      const options = issue.values.map((value) => JSON.stringify(value)).join(', ');
      const nearest =
        typeof found === 'string'
          ? findNearestName(
              found,
              issue.values.filter((value): value is string => typeof value === 'string'),
            )
          : undefined;
      return {
        path,
        message: `found ${describeFound(found)}, expected ${issue.values.length === 1 ? '' : 'one of '}${options}${nearest === undefined ? '' : ` (did you mean "${nearest}"?)`}`,
      };
    }
    case 'invalid_key': {
      const key = String(issue.path[issue.path.length - 1]);
      return {
        path: formatKeyPath(issue.path.slice(0, -1)),
        message: `the name "${key}" is not allowed: ${issue.issues.map((inner) => inner.message).join(', ')}`,
      };
    }
    default:
      return {
        path,
        message:
          found === undefined || issue.code === 'custom'
            ? issue.message
            : `${issue.message} (found ${describeFound(found)})`,
      };
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** The keys the schema allows in the object at `path`. */
function allowedKeysAt(_found: unknown, path: readonly PropertyKey[]): string[] {
  let schema: unknown = FraudPipelineConfigSchema;
  for (const key of path) {
    schema = childSchema(schema, key);
    if (schema === undefined) return [];
  }
  const shape = objectShape(schema);
  return shape === undefined ? [] : Object.keys(shape);
}

interface SchemaDef {
  type: string;
  innerType?: unknown;
  in?: unknown;
  shape?: Record<string, unknown>;
  element?: unknown;
  valueType?: unknown;
}

function defOf(schema: unknown): SchemaDef | undefined {
  return (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;
}

/** Unwraps optional / default / prefault / pipe wrappers. */
function unwrap(schema: unknown): unknown {
  let current = schema;
  for (let depth = 0; depth < 10; depth++) {
    const def = defOf(current);
    if (def === undefined) return current;
    if (def.innerType !== undefined) current = def.innerType;
    else if (def.type === 'pipe' && def.in !== undefined) current = def.in;
    else return current;
  }
  return current;
}

function objectShape(schema: unknown): Record<string, unknown> | undefined {
  const def = defOf(unwrap(schema));
  return def?.type === 'object' ? def.shape : undefined;
}

function childSchema(schema: unknown, key: PropertyKey): unknown {
  const def = defOf(unwrap(schema));
  if (def === undefined) return undefined;
  if (def.type === 'object') return def.shape?.[String(key)];
  if (def.type === 'array') return def.element;
  if (def.type === 'record') return def.valueType;
  return undefined;
}
