import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FASHION_MNIST_LABELS } from '@mlsd/datasets';
import type { ImageMetadata } from '@mlsd/vision';

/** What the service knows of an index's catalogue without walking the graph. */
export interface ImageCatalogue {
  /** Indexed images. */
  count: number;
  /** Distinct labels, sorted (numbers before strings). */
  labels: (string | number)[];
  /**
   * Names of the labels when they are class numbers with known names (a Fashion-MNIST
   * catalogue: `{ "9": "Ankle boot" }`); null otherwise.
   */
  labelNames: Record<string, string> | null;
}

/**
 * Reads the distinct labels of an image-search artifact from its index's item table
 * (`index/items.json`, already checksum-verified by the load).
 */
export async function readImageCatalogue(dir: string): Promise<ImageCatalogue> {
  const items = JSON.parse(await readFile(join(dir, 'index', 'items.json'), 'utf8')) as {
    ids: string[];
    metadata: (ImageMetadata | null)[];
  };
  const labels = new Set<string | number>();
  let fashionMnist = items.metadata.length > 0;
  for (const metadata of items.metadata) {
    const label = metadata?.label;
    if (typeof label === 'string' || typeof label === 'number') labels.add(label);
    if (!(typeof metadata?.source === 'string' && metadata.source.startsWith('fashion-mnist:'))) {
      fashionMnist = false;
    }
  }
  const sorted = [...labels].sort((a, b) =>
    typeof a === 'number' && typeof b === 'number'
      ? a - b
      : typeof a === 'number'
        ? -1
        : typeof b === 'number'
          ? 1
          : a.localeCompare(b),
  );
  const named =
    fashionMnist &&
    sorted.every((label) => typeof label === 'number' && FASHION_MNIST_LABELS[label] !== undefined);
  const labelNames = named
    ? Object.fromEntries(
        sorted.map((label) => [String(label), FASHION_MNIST_LABELS[label as number]!]),
      )
    : null;
  return { count: items.ids.length, labels: sorted, labelNames };
}
