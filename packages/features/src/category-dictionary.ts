/**
 * Codes for category values held by the in-process state, counted by reference so a code is
 * freed (and reused) when the last event holding it is forgotten: memory follows the values in
 * the windows, not every value ever seen.
 */
export class CategoryDictionary {
  readonly #codes = new Map<string, number>();
  #values: (string | undefined)[] = [];
  #references = new Int32Array(16);
  readonly #free: number[] = [];

  /** The code of `value` (−1 for null), holding one more reference to it. */
  acquire(value: string | null): number {
    if (value === null) return -1;
    let code = this.#codes.get(value);
    if (code === undefined) {
      code = this.#free.pop() ?? this.#values.length;
      if (code >= this.#references.length) {
        const references = new Int32Array(this.#references.length * 2);
        references.set(this.#references);
        this.#references = references;
      }
      this.#codes.set(value, code);
      this.#values[code] = value;
    }
    this.#references[code]!++;
    return code;
  }

  /** Drops one reference to `code` (−1 is ignored). */
  release(code: number): void {
    if (code < 0) return;
    if (--this.#references[code]! === 0) {
      this.#codes.delete(this.#values[code]!);
      this.#values[code] = undefined;
      this.#free.push(code);
    }
  }

  /** The value of a live code (null for −1). */
  value(code: number): string | null {
    return code < 0 ? null : (this.#values[code] ?? null);
  }

  /** Live values. */
  get size(): number {
    return this.#codes.size;
  }
}
