import { InvalidArgumentError } from '@mlsd/core';
import type { z } from 'zod';
import { compileNumberChecks } from './number-checks.js';

/** How a column is stored in the resulting Table. */
export type ColumnKind =
  | 'float64'
  | 'float32'
  | 'int32'
  | 'uint8'
  | 'string'
  | 'category'
  /** A string field holding ISO-8601 date-times, stored as seconds since the epoch (Float64Array). */
  | 'datetime';

/** A zod object schema describing one row. */
export type RowSchema = z.ZodObject<z.ZodRawShape>;

/** What the reader does with one schema field. */
export interface FieldPlan {
  name: string;
  /** The value type before storage: what a CSV cell is converted to. */
  base: 'number' | 'string' | 'boolean';
  kind: ColumnKind;
  /** The field may be missing or empty (zod `.optional()` / `.default()` / `.nullable()`). */
  optional: boolean;
  /** Value used when an optional field is missing (zod `.default(v)`), if any. */
  defaultValue: number | string | boolean | undefined;
  /**
   * The field's own zod schema when it has constraints beyond its type (min, int, enum
   * membership, regex...), run on each converted value; undefined when the type check is enough.
   */
  validator: z.ZodType | undefined;
  /** A fast pass/fail test equivalent to `validator` for number fields, when one could be compiled. */
  fastCheck: ((value: number) => boolean) | undefined;
}

/**
 * Derives one {@link FieldPlan} per field of `schema`. Supported field types: number,
 * string, boolean, enum, literal, optionally wrapped in optional / default / nullable. Storage
 * defaults: numbers float64, strings string, enums category, booleans uint8; `columns`
 * overrides per field.
 */
export function planFields(
  schema: RowSchema,
  columns: Readonly<Record<string, ColumnKind>> = {},
): FieldPlan[] {
  const shape = schema.shape as Record<string, z.ZodType>;
  for (const name of Object.keys(columns)) {
    if (!(name in shape)) {
      throw new InvalidArgumentError(
        `columns option names "${name}", which the schema does not have.`,
      );
    }
  }
  return Object.entries(shape).map(([name, field]) => planField(name, field, columns[name]));
}

function planField(name: string, field: z.ZodType, requested: ColumnKind | undefined): FieldPlan {
  let inner = field;
  let optional = false;
  let defaultValue: FieldPlan['defaultValue'];
  for (;;) {
    const def = defOf(inner);
    if (def.type === 'optional' || def.type === 'nullable') optional = true;
    else if (def.type === 'default') {
      optional = true;
      const value =
        typeof def.defaultValue === 'function'
          ? (def.defaultValue as () => unknown)()
          : def.defaultValue;
      if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')
        defaultValue = value;
    } else break;
    inner = def.innerType as z.ZodType;
  }
  const def = defOf(inner);
  let base: FieldPlan['base'];
  let hasConstraints: boolean;
  let defaultKind: ColumnKind;
  switch (def.type) {
    case 'number':
      base = 'number';
      hasConstraints = (def.checks?.length ?? 0) > 0;
      defaultKind = 'float64';
      break;
    case 'string':
      base = 'string';
      hasConstraints = (def.checks?.length ?? 0) > 0;
      defaultKind = 'string';
      break;
    case 'boolean':
      base = 'boolean';
      hasConstraints = false;
      defaultKind = 'uint8';
      break;
    case 'enum':
    case 'literal': {
      const values = def.type === 'enum' ? Object.values(def.entries ?? {}) : (def.values ?? []);
      base = values.every((value) => typeof value === 'number') ? 'number' : 'string';
      hasConstraints = true;
      defaultKind = base === 'number' ? 'int32' : 'category';
      break;
    }
    default:
      throw new InvalidArgumentError(
        `Schema field "${name}" is a zod ${def.type}; readers support number, string, boolean, enum and literal ` +
          'fields (optionally optional/default/nullable). Validate richer shapes after reading.',
      );
  }
  const kind = requested ?? defaultKind;
  checkKind(name, base, kind);
  if (optional && defaultValue === undefined && (kind === 'int32' || kind === 'uint8')) {
    throw new InvalidArgumentError(
      `Field "${name}" is optional without a default, but an ${kind} column cannot hold a missing value; ` +
        "store it as 'float64' (missing becomes NaN) or give the field a .default().",
    );
  }
  return {
    name,
    base,
    kind,
    optional,
    defaultValue,
    validator: hasConstraints ? inner : undefined,
    fastCheck: hasConstraints && def.type === 'number' ? compileNumberChecks(inner) : undefined,
  };
}

function checkKind(name: string, base: FieldPlan['base'], kind: ColumnKind): void {
  const numeric = kind === 'float64' || kind === 'float32' || kind === 'int32' || kind === 'uint8';
  if (kind === 'datetime') {
    if (base !== 'string') {
      throw new InvalidArgumentError(
        `Field "${name}" holds ${base}s; only string fields can be stored as 'datetime'.`,
      );
    }
    return;
  }
  if (base === 'string' && numeric) {
    throw new InvalidArgumentError(
      `Field "${name}" holds strings; store it as 'string' or 'category', not '${kind}'.`,
    );
  }
  if (base === 'number' && kind === 'string') {
    throw new InvalidArgumentError(
      `Field "${name}" holds numbers; store it as a numeric kind or 'category', not 'string'.`,
    );
  }
  // Numeric ids may be stored as categories (their canonical decimal text is the level).
  if (base === 'boolean' && !numeric) {
    throw new InvalidArgumentError(
      `Field "${name}" holds ${base}s; store it as a numeric kind, not '${kind}'.`,
    );
  }
}

interface ZodDefLike {
  type: string;
  innerType?: unknown;
  defaultValue?: unknown;
  checks?: unknown[];
  entries?: Record<string, string | number>;
  values?: unknown[];
}

function defOf(schema: z.ZodType): ZodDefLike {
  return (schema as unknown as { _zod: { def: ZodDefLike } })._zod.def;
}
