/**
 * The transaction ids the in-process state holds (for repeats and late labels): each id's
 * fingerprint, its key in each entity plan, and how many entities still hold it. Kept in typed
 * arrays and per-plan key arrays indexed by a slot, so the hundreds of thousands of ids inside
 * the windows cost one map entry each, not an object each.
 */
export class HeldTransactions {
  readonly #slots = new Map<string, number>();
  readonly #plans: number;
  #fingerprints = new Float64Array(1_024);
  #holders = new Int32Array(1_024);
  #keys: (string | null)[][];
  readonly #free: number[] = [];

  /** @param plans - entity plans of the feature set. */
  constructor(plans: number) {
    this.#plans = plans;
    this.#keys = Array.from({ length: plans }, () => new Array<string | null>(1_024).fill(null));
  }

  /** Transactions held. */
  get size(): number {
    return this.#slots.size;
  }

  /** The slot of a held transaction, or −1. */
  slotOf(transactionId: string): number {
    return this.#slots.get(transactionId) ?? -1;
  }

  /** Fingerprint of the transaction in `slot`. */
  fingerprint(slot: number): number {
    return this.#fingerprints[slot]!;
  }

  /** Its key in entity plan `e` (null: no key, or that entity let it go). */
  key(slot: number, e: number): string | null {
    return this.#keys[e]![slot] ?? null;
  }

  /** Holds a transaction that `holders` entities now hold; returns its slot. */
  add(
    transactionId: string,
    fingerprint: number,
    keys: readonly (string | null)[],
    holders: number,
  ): number {
    let slot = this.#free.pop();
    if (slot === undefined) {
      slot = this.#slots.size;
      if (slot >= this.#holders.length) this.#grow();
    }
    this.#slots.set(transactionId, slot);
    this.#fingerprints[slot] = fingerprint;
    this.#holders[slot] = holders;
    for (let e = 0; e < this.#plans; e++) this.#keys[e]![slot] = keys[e] ?? null;
    return slot;
  }

  /**
   * Entity plan `e` let the transaction in `slot` go; it is forgotten when no entity holds it
   * (only then is its id looked up).
   */
  release(slot: number, e: number, transactionId: string): void {
    this.#keys[e]![slot] = null;
    if (--this.#holders[slot]! > 0) return;
    this.#slots.delete(transactionId);
    for (let k = 0; k < this.#plans; k++) this.#keys[k]![slot] = null;
    this.#free.push(slot);
  }

  /** Every held id with its fingerprint. */
  forEach(visit: (transactionId: string, fingerprint: number) => void): void {
    for (const [id, slot] of this.#slots) visit(id, this.#fingerprints[slot]!);
  }

  #grow(): void {
    const size = this.#holders.length * 2;
    const fingerprints = new Float64Array(size);
    fingerprints.set(this.#fingerprints);
    const holders = new Int32Array(size);
    holders.set(this.#holders);
    this.#fingerprints = fingerprints;
    this.#holders = holders;
    for (const keys of this.#keys) {
      const old = keys.length;
      keys.length = size;
      keys.fill(null, old);
    }
  }
}
