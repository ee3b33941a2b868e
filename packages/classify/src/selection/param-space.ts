import { InvalidArgumentError, parseOptions, type Rng } from '@mlsd/core';
import { z } from 'zod';

/** A hyperparameter value as it travels to a worker thread and into JSON. */
export type ParamValue = z.infer<ReturnType<typeof z.json>>;

/** Hyperparameters of one candidate, by name (nested step parameters as `step__param`). */
export type Params = Record<string, ParamValue>;

/** zod schema of a numeric range of a {@link ParamSpace}. */
export const ParamRangeSchema = z
  .object({
    low: z.number().finite(),
    high: z.number().finite(),
    /** Draw uniformly in log space (learning rates, regularisation strengths). */
    log: z.boolean().default(false),
    /** Round draws to whole numbers (tree counts, depths). */
    integer: z.boolean().default(false),
  })
  .strict()
  .refine((range) => range.low < range.high, { message: 'low must be below high' })
  .refine((range) => !range.log || range.low > 0, { message: 'a log range needs low > 0' })
  .refine((range) => !range.integer || Math.ceil(range.low) <= Math.floor(range.high), {
    message: 'an integer range must hold a whole number',
  });

/** A numeric range: `{ low, high, log?, integer? }`. */
export type ParamRange = z.output<typeof ParamRangeSchema>;

/** One hyperparameter's candidates: a list of values (a choice), or a numeric range. */
export const ParamDimensionSchema = z.union([z.array(z.json()).min(1), ParamRangeSchema]);

/**
 * A declarative search space, one entry per hyperparameter, as scikit-learn's `param_grid` /
 * `param_distributions`: a list is a choice among its values (every value in a grid, a uniform
 * pick in random search); `{ low, high, log?, integer? }` is a range (random search draws in it,
 * uniformly or log-uniformly; a grid takes `gridSteps` evenly spaced points of it).
 *
 * @example
 * ```ts
 * const space: ParamSpaceInput = {
 *   maxDepth: [3, 4, 6],
 *   learningRate: { low: 0.02, high: 0.3, log: true },
 *   maxIter: { low: 50, high: 400, log: true, integer: true },
 * };
 * ```
 */
export const ParamSpaceSchema = z.record(z.string().min(1), ParamDimensionSchema);

/** A search space as callers write it. */
export type ParamSpaceInput = z.input<typeof ParamSpaceSchema>;
/** A validated search space (range defaults filled in). */
export type ParamSpace = z.output<typeof ParamSpaceSchema>;

/** Validates a search space; throws InvalidArgumentError naming the bad entry. */
export function parseParamSpace(space: unknown, where = 'parameter space'): ParamSpace {
  return parseOptions(ParamSpaceSchema, space, where);
}

function isRange(dimension: ParamSpace[string]): dimension is ParamRange {
  return !Array.isArray(dimension);
}

/** Evenly spaced points of a range (log-spaced for a log range), deduplicated after rounding. */
function rangePoints(range: ParamRange, steps: number): ParamValue[] {
  const points: number[] = [];
  for (let k = 0; k < steps; k++) {
    const t = steps === 1 ? 0.5 : k / (steps - 1);
    // The ends exactly (exp(log(x)) may miss x in the last bit).
    let value =
      t === 0
        ? range.low
        : t === 1
          ? range.high
          : range.log
            ? Math.exp(Math.log(range.low) + t * (Math.log(range.high) - Math.log(range.low)))
            : range.low + t * (range.high - range.low);
    if (range.integer) value = Math.round(value);
    if (!points.includes(value)) points.push(value);
  }
  return points;
}

/**
 * Every combination of the space's values (a grid), in a stable order: the last named
 * parameter varies fastest. Ranges contribute `gridSteps` points each (default 3).
 */
export function gridCandidates(space: ParamSpace, gridSteps = 3): Params[] {
  if (!Number.isInteger(gridSteps) || gridSteps < 1) {
    throw new InvalidArgumentError(
      `gridCandidates: gridSteps must be a positive integer, got ${gridSteps}.`,
    );
  }
  let grid: Params[] = [{}];
  for (const [name, dimension] of Object.entries(space)) {
    const values = isRange(dimension) ? rangePoints(dimension, gridSteps) : dimension;
    const next: Params[] = [];
    for (const partial of grid)
      for (const value of values) next.push({ ...partial, [name]: value });
    grid = next;
  }
  return grid;
}

/** Number of distinct grid points of a space whose entries are all lists; Infinity with a range. */
export function discreteSize(space: ParamSpace): number {
  let size = 1;
  for (const dimension of Object.values(space)) {
    if (isRange(dimension)) {
      if (!dimension.integer) return Number.POSITIVE_INFINITY;
      size *= Math.floor(dimension.high) - Math.ceil(dimension.low) + 1;
    } else size *= dimension.length;
  }
  return size;
}

/** One random draw from every entry of the space. */
export function sampleParams(space: ParamSpace, rng: Rng): Params {
  const params: Params = {};
  for (const [name, dimension] of Object.entries(space)) {
    if (!isRange(dimension)) {
      params[name] = rng.choice(dimension);
      continue;
    }
    if (dimension.integer) {
      // Each whole number k in [low, high] gets the (log-)width of [k, k + 1).
      const low = Math.ceil(dimension.low);
      const high = Math.floor(dimension.high);
      params[name] = dimension.log
        ? Math.min(high, Math.floor(logUniform(rng, low, high + 1)))
        : rng.integer(low, high + 1);
      continue;
    }
    params[name] = dimension.log
      ? logUniform(rng, dimension.low, dimension.high)
      : rng.uniform(dimension.low, dimension.high);
  }
  return params;
}

function logUniform(rng: Rng, low: number, high: number): number {
  return Math.exp(rng.uniform(Math.log(low), Math.log(high)));
}

/**
 * `count` distinct random draws from the space (as scikit-learn's `ParameterSampler`); fewer
 * when the space has fewer distinct points, in which case every point comes back, shuffled.
 */
export function randomCandidates(space: ParamSpace, count: number, rng: Rng): Params[] {
  if (!Number.isInteger(count) || count < 0) {
    throw new InvalidArgumentError(
      `randomCandidates: count must be a whole number ≥ 0, got ${count}.`,
    );
  }
  const size = discreteSize(space);
  if (size <= count) {
    return rng.shuffle(allDiscrete(space));
  }
  const seen = new Set<string>();
  const out: Params[] = [];
  // A space barely larger than `count` may take many draws to fill; stop trying at some point.
  for (let attempt = 0; out.length < count && attempt < count * 100; attempt++) {
    const params = sampleParams(space, rng);
    const key = JSON.stringify(params);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(params);
  }
  return out;
}

function allDiscrete(space: ParamSpace): Params[] {
  const asLists: ParamSpace = {};
  for (const [name, dimension] of Object.entries(space)) {
    if (isRange(dimension)) {
      const values: number[] = [];
      for (let v = Math.ceil(dimension.low); v <= Math.floor(dimension.high); v++) values.push(v);
      asLists[name] = values;
    } else asLists[name] = dimension;
  }
  return gridCandidates(asLists);
}

/**
 * The hyperparameters of one pipeline step, from scikit-learn's `step__param` names:
 * `stepParams({ model__C: 1, scale__withMean: false }, 'model')` is `{ C: 1 }`. A registered
 * kind that builds a pipeline uses it to route a candidate's parameters to its steps.
 */
export function stepParams(params: Readonly<Params>, step: string): Params {
  const prefix = `${step}__`;
  const out: Params = {};
  for (const [name, value] of Object.entries(params)) {
    if (name.startsWith(prefix)) out[name.slice(prefix.length)] = value;
  }
  return out;
}
