import type { Metadata } from './vector-index.js';

/**
 * Our string ids and metadata beside an index's integer labels (hnswlib's labels, or the exact
 * index's row numbers). Labels are small dense integers, so lookups by label (every search
 * result, every filter call) are array reads; a Map goes the other way.
 */
export class IdTable<M extends Metadata = Metadata> {
  readonly #labelById = new Map<string, number>();
  readonly #idByLabel: (string | undefined)[] = [];
  readonly #metadataByLabel: (M | undefined)[] = [];

  /** Number of ids held. */
  get size(): number {
    return this.#labelById.size;
  }

  /** One past the largest label ever assigned. */
  get labelCount(): number {
    return this.#idByLabel.length;
  }

  /** Label of `id`, or undefined when it is not held. */
  labelOf(id: string): number | undefined {
    return this.#labelById.get(id);
  }

  /** Id at `label`, or undefined when the label is free. */
  idAt(label: number): string | undefined {
    return this.#idByLabel[label];
  }

  /** Metadata at `label`. */
  metadataAt(label: number): M | undefined {
    return this.#metadataByLabel[label];
  }

  /** Puts `id` (with its metadata) at `label`, which must be free or already hold `id`. */
  assign(id: string, label: number, metadata: M | undefined): void {
    while (this.#idByLabel.length < label) {
      this.#idByLabel.push(undefined);
      this.#metadataByLabel.push(undefined);
    }
    this.#idByLabel[label] = id;
    this.#metadataByLabel[label] = metadata;
    this.#labelById.set(id, label);
  }

  /** Frees the label of `id`; returns it (undefined when `id` is not held). */
  remove(id: string): number | undefined {
    const label = this.#labelById.get(id);
    if (label === undefined) return undefined;
    this.#labelById.delete(id);
    this.#idByLabel[label] = undefined;
    this.#metadataByLabel[label] = undefined;
    return label;
  }

  /** Moves the id at label `from` to the free label `to` (the exact index compacts rows). */
  move(from: number, to: number): void {
    const id = this.#idByLabel[from];
    if (id === undefined) return;
    this.assign(id, to, this.#metadataByLabel[from]);
    this.#idByLabel[from] = undefined;
    this.#metadataByLabel[from] = undefined;
  }

  /** Drops trailing free labels so `labelCount` is one past the largest used label. */
  trim(): void {
    while (
      this.#idByLabel.length > 0 &&
      this.#idByLabel[this.#idByLabel.length - 1] === undefined
    ) {
      this.#idByLabel.pop();
      this.#metadataByLabel.pop();
    }
  }

  /** Labels that are below `labelCount` and free. */
  freeLabels(): number[] {
    const free: number[] = [];
    for (let label = 0; label < this.#idByLabel.length; label++) {
      if (this.#idByLabel[label] === undefined) free.push(label);
    }
    return free;
  }

  /** The table as JSON-ready arrays (labels ascending), for saving. */
  toJSON(): IdTableJSON<M> {
    const labels: number[] = [];
    const ids: string[] = [];
    const metadata: (M | null)[] = [];
    for (let label = 0; label < this.#idByLabel.length; label++) {
      const id = this.#idByLabel[label];
      if (id === undefined) continue;
      labels.push(label);
      ids.push(id);
      metadata.push(this.#metadataByLabel[label] ?? null);
    }
    return { labelCount: this.#idByLabel.length, labels, ids, metadata };
  }

  /** Rebuilds a table saved by {@link toJSON} (the caller has validated the shape). */
  static fromJSON<M extends Metadata>(json: IdTableJSON<M>): IdTable<M> {
    const table = new IdTable<M>();
    json.labels.forEach((label, i) => {
      table.assign(json.ids[i]!, label, json.metadata[i] ?? undefined);
    });
    while (table.#idByLabel.length < json.labelCount) {
      table.#idByLabel.push(undefined);
      table.#metadataByLabel.push(undefined);
    }
    return table;
  }
}

/** Saved form of an {@link IdTable}. */
export interface IdTableJSON<M extends Metadata = Metadata> {
  /** One past the largest label ever assigned (labels below it that are unused are free). */
  labelCount: number;
  /** Used labels, ascending. */
  labels: number[];
  /** Id at each label. */
  ids: string[];
  /** Metadata at each label (null for none). */
  metadata: (M | null)[];
}
