/** A value as a message quotes it: text in single quotes (cut at 40 characters), else its JSON. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (value === undefined) return 'nothing';
  return JSON.stringify(value) ?? String(value);
}
