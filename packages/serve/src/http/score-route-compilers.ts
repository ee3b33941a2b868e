import type { FastifySchemaCompiler } from 'fastify';
import type { FastifyRouteSchemaDef, FastifySerializerCompiler } from 'fastify/types/schema.js';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { MAX_BATCH } from './schemas.js';

/**
 * The body check of `POST /v1/fraud/score`. Its schema (one JSON object, or 1..MAX_BATCH of them)
 * only says "objects"; the model's row normalizer checks every field after it. A body of that
 * shape is passed through as parsed — zod's record parse would copy every object, the largest
 * share of the check's cost at 2,000 req/s — and any other body goes to the zod validator, so a
 * refused body gets the same error as on every other route.
 */
export function scoreBodyValidator<S>(
  route: FastifyRouteSchemaDef<S>,
): ReturnType<FastifySchemaCompiler<S>> {
  const full = validatorCompiler(route as unknown as Parameters<typeof validatorCompiler>[0]);
  return (data: unknown) => (isScoreBody(data) ? { value: data } : full(data));
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScoreBody(data: unknown): boolean {
  if (isObject(data)) return true;
  if (!Array.isArray(data) || data.length < 1 || data.length > MAX_BATCH) return false;
  for (let i = 0; i < data.length; i++) if (!isObject(data[i])) return false;
  return true;
}

/**
 * The answer of `POST /v1/fraud/score` written with `JSON.stringify` alone. The handler builds it
 * from typed values (`ScoreResult`), so a zod pass over it (a copy of every feature record) would
 * check nothing the compiler has not; the OpenAPI document still comes from the response schema.
 */
export const scoreResponseSerializer: FastifySerializerCompiler<unknown> = () => (data) =>
  JSON.stringify(data);
