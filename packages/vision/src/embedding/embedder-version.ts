import { createHash } from 'node:crypto';

/**
 * An embedder's version: `<kind>:<16 hex digits>` of the sha256 over its weight bytes and the
 * JSON of everything else that shapes its vectors (output, pooling, input spec). Two embedders
 * share a version exactly when they make the same vectors from the same images.
 */
export function embedderVersion(
  kind: string,
  weights: readonly Uint8Array[],
  settings: Record<string, unknown>,
): string {
  const hash = createHash('sha256');
  for (const part of weights) {
    // Length-prefixed, so moving bytes between shards cannot give the same digest.
    hash.update(String(part.byteLength)).update(':').update(part);
  }
  hash.update(stableJson(settings));
  return `${kind}:${hash.digest('hex').slice(0, 16)}`;
}

/** JSON with object keys sorted, so equal settings always hash equally. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
