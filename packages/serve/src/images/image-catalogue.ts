import { FASHION_MNIST_LABELS } from '@mlsd/datasets';
import { type ImageMetadata, type ImageSearch, parseImageSource } from '@mlsd/vision';

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
 * The labels of a live catalogue, kept up to date as images are added and removed (a count per
 * label, so removing the last image of a label removes the label).
 */
export class CatalogueLabels {
  readonly #counts = new Map<string | number, number>();
  #datasetOnly = true;
  #size = 0;

  /** Counts the labels of every image already in `search`. */
  constructor(search: ImageSearch) {
    for (const id of search.ids()) this.add(search.index.getMetadata(id));
  }

  /** Records one added image's label. */
  add(metadata: ImageMetadata | undefined): void {
    this.#size++;
    const source = metadata?.source;
    if (typeof source !== 'string' || parseImageSource(source).kind !== 'dataset') {
      this.#datasetOnly = false;
    }
    const label = metadata?.label;
    if (typeof label === 'string' || typeof label === 'number') {
      this.#counts.set(label, (this.#counts.get(label) ?? 0) + 1);
    }
  }

  /** Records one removed image's label. */
  remove(metadata: ImageMetadata | undefined): void {
    this.#size--;
    const label = metadata?.label;
    if (typeof label !== 'string' && typeof label !== 'number') return;
    const left = (this.#counts.get(label) ?? 1) - 1;
    if (left > 0) this.#counts.set(label, left);
    else this.#counts.delete(label);
  }

  /** The catalogue as `/v1/info` and label filters see it. */
  snapshot(): ImageCatalogue {
    const sorted = [...this.#counts.keys()].sort((a, b) =>
      typeof a === 'number' && typeof b === 'number'
        ? a - b
        : typeof a === 'number'
          ? -1
          : typeof b === 'number'
            ? 1
            : a.localeCompare(b),
    );
    // Class numbers get Fashion-MNIST's names only when every image came from the dataset.
    const named =
      this.#datasetOnly &&
      this.#size > 0 &&
      sorted.every(
        (label) => typeof label === 'number' && FASHION_MNIST_LABELS[label] !== undefined,
      );
    const labelNames = named
      ? Object.fromEntries(
          sorted.map((label) => [String(label), FASHION_MNIST_LABELS[label as number]!]),
        )
      : null;
    return { count: this.#size, labels: sorted, labelNames };
  }
}
