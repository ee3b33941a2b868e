import { isMlsdError } from '@mlsd/core';

/** One line saying what went wrong, with the error code when it is one of ours. */
export function describeError(error: unknown): string {
  if (isMlsdError(error)) return `${error.code}: ${firstLine(error.message)}`;
  if (error instanceof Error) return firstLine(error.message);
  return firstLine(String(error));
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.trim();
}
