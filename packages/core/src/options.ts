import type { z } from 'zod';
import { InvalidArgumentError } from './errors.js';

/**
 * Validates `input` against a zod schema and returns the parsed value (defaults filled in).
 * On failure throws {@link InvalidArgumentError} whose message starts with `where` and lists
 * every problem, e.g. `LogisticRegression options: learningRate: Too small: expected number
 * to be >0`. `details.issues` holds the same list as `{ path, message }` objects.
 *
 * @param where - what was being parsed, for the message ("StandardScaler options").
 */
export function parseOptions<T>(schema: z.ZodType<T>, input: unknown, where: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidArgumentError(
    `${where}: ${formatZodError(result.error)}`,
    {
      where,
      issues: result.error.issues.map((issue) => ({
        path: formatPath(issue.path),
        message: issue.message,
      })),
    },
    { cause: result.error },
  );
}

/**
 * Lists a zod error's issues as `path: message`, joined by "; " (issues at the root have
 * no path). Paths read like property access: `layers[2].units`.
 */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = formatPath(issue.path);
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    })
    .join('; ');
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}
