import { type Column, Table } from '@mlsd/core';
import { type ColumnBuilder, createColumnBuilder } from './column-builders.js';
import { parseDateTimeSeconds } from './parse-datetime.js';
import type { FieldPlan } from './schema-plan.js';

/** Why one row was refused: the column (when one is to blame) and a sentence. */
export interface RowProblem {
  column?: string;
  reason: string;
}

/**
 * Converts, validates and appends rows to typed column builders. A row is appended only when
 * every field passes, so the columns always stay the same length.
 */
export class RowBuilder {
  readonly #plans: readonly FieldPlan[];
  readonly #builders: ColumnBuilder[];
  readonly #staged: (number | string | undefined)[];

  constructor(plans: readonly FieldPlan[]) {
    this.#plans = plans;
    this.#builders = plans.map((plan) => createColumnBuilder(plan.kind));
    this.#staged = new Array(plans.length);
  }

  /** The field plans, in column order. */
  get plans(): readonly FieldPlan[] {
    return this.#plans;
  }

  /**
   * Adds a CSV record: `cells[cellIndex[f]]` is field f's text (cellIndex -1: column absent).
   * Returns the problem instead of adding when a cell is invalid.
   */
  addTextRow(cells: readonly string[], cellIndex: Int32Array): RowProblem | undefined {
    for (let f = 0; f < this.#plans.length; f++) {
      const plan = this.#plans[f]!;
      const at = cellIndex[f]!;
      const text = at < 0 ? undefined : cells[at];
      const problem = this.#stage(
        f,
        plan,
        text === undefined || text === '' ? undefined : convertText(plan, text),
        text,
      );
      if (problem !== undefined) return problem;
    }
    this.#commit();
    return undefined;
  }

  /** Adds a parsed JSON object. Returns the problem instead of adding when a field is invalid. */
  addObjectRow(row: Record<string, unknown>): RowProblem | undefined {
    for (let f = 0; f < this.#plans.length; f++) {
      const plan = this.#plans[f]!;
      const value = row[plan.name];
      let converted: number | string | undefined | Invalid;
      if (value === undefined || value === null) converted = undefined;
      else if (plan.base === 'boolean' && typeof value === 'boolean') converted = value ? 1 : 0;
      else if (typeof value === plan.base) converted = value as number | string;
      else converted = { invalid: `expected ${plan.base}, got ${describe(value)}` };
      const problem = this.#stage(f, plan, converted, value);
      if (problem !== undefined) return problem;
    }
    this.#commit();
    return undefined;
  }

  /** The accepted rows as a Table, columns in schema order. */
  finish(): Table {
    const columns: Record<string, Column> = {};
    this.#plans.forEach((plan, f) => {
      columns[plan.name] = this.#builders[f]!.finish();
    });
    return new Table(columns);
  }

  #stage(
    f: number,
    plan: FieldPlan,
    value: number | string | undefined | Invalid,
    raw: unknown,
  ): RowProblem | undefined {
    if (typeof value === 'object')
      return { column: plan.name, reason: `${plan.name}: ${value.invalid}` };
    if (value === undefined) {
      if (!plan.optional) return { column: plan.name, reason: `${plan.name}: missing value` };
      this.#staged[f] = toStored(plan, plan.defaultValue);
      return undefined;
    }
    if (plan.base === 'number' && !Number.isFinite(value as number)) {
      return { column: plan.name, reason: `${plan.name}: ${describe(raw)} is not a finite number` };
    }
    // The compiled equivalent of the field's zod checks decides a pass; zod explains a failure.
    const passedFastCheck = plan.fastCheck?.(value as number) === true;
    if (!passedFastCheck && plan.validator !== undefined) {
      const checked = plan.validator.safeParse(plan.base === 'boolean' ? value === 1 : value);
      if (!checked.success) {
        const message = checked.error.issues.map((issue) => issue.message).join('; ');
        return { column: plan.name, reason: `${plan.name}: ${message} (got ${describe(raw)})` };
      }
    }
    if (plan.kind === 'datetime') {
      const seconds = parseDateTimeSeconds(value as string);
      if (Number.isNaN(seconds)) {
        return {
          column: plan.name,
          reason: `${plan.name}: ${describe(raw)} is not an ISO-8601 date-time`,
        };
      }
      this.#staged[f] = seconds;
      return undefined;
    }
    this.#staged[f] = value;
    return undefined;
  }

  #commit(): void {
    for (let f = 0; f < this.#builders.length; f++) this.#builders[f]!.push(this.#staged[f]);
  }
}

interface Invalid {
  invalid: string;
}

/** Converts a CSV cell to the field's base type. */
function convertText(plan: FieldPlan, text: string): number | string | Invalid {
  if (plan.base === 'string') return text;
  if (plan.base === 'boolean') {
    const lower = text.trim().toLowerCase();
    if (lower === 'true' || lower === '1') return 1;
    if (lower === 'false' || lower === '0') return 0;
    return { invalid: `expected true/false or 1/0, got '${text}'` };
  }
  const value = Number(text);
  // Number('') is 0 and Number(' ') is 0: blank text was handled as missing before this.
  if (Number.isNaN(value) && text.trim() !== 'NaN')
    return { invalid: `expected a number, got '${text}'` };
  return value;
}

function toStored(plan: FieldPlan, value: FieldPlan['defaultValue']): number | string | undefined {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (
    value === undefined &&
    plan.base !== 'string' &&
    (plan.kind === 'string' || plan.kind === 'category')
  )
    return undefined;
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
