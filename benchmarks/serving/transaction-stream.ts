import { Rng } from '@mlsd/core';
import type { HandbookTransaction } from '@mlsd/fraud';

/** Options of {@link TransactionStream}. */
export interface TransactionStreamOptions {
  /** Seconds: the first transaction's time (after the online state's clock). */
  startTime: number;
  /** The first transaction id; later ones count up from it. */
  firstId: number;
  /** Customer ids are drawn from [0, customers). */
  customers: number;
  /** Terminal ids are drawn from [0, terminals). */
  terminals: number;
  /** Seconds of clock per transaction on average (the simulator: ≈ 9 s a transaction). */
  step?: number;
  seed?: number;
}

/**
 * Valid, distinct fraud transactions for load generators: every id is new, and times never go
 * back in the order the service sees them, even with several connections in flight.
 *
 * The service refuses a transaction older than the latest one it scored (409 OUT_OF_ORDER).
 * Requests on different connections can overtake one another, so a strictly increasing time per
 * request would make some of them late. Instead the time moves on only when every request sent
 * so far has been answered ({@link TransactionStream.answered}); requests in flight together
 * share one time, which the online state accepts (equal times are allowed), and the next step
 * makes up for them.
 */
export class TransactionStream {
  readonly #rng: Rng;
  readonly #customers: number;
  readonly #terminals: number;
  readonly #step: number;
  #time: number;
  #nextId: number;
  #sent = 0;
  #answered = 0;
  #sentAtLastStep = 0;

  constructor(options: TransactionStreamOptions) {
    this.#rng = new Rng(options.seed ?? 8);
    this.#customers = options.customers;
    this.#terminals = options.terminals;
    this.#step = options.step ?? 9;
    this.#time = Math.ceil(options.startTime);
    this.#nextId = options.firstId;
  }

  /** Transactions handed out so far. */
  get sent(): number {
    return this.#sent;
  }

  /** The time (seconds) the next transaction will carry at the latest. */
  get time(): number {
    return this.#time;
  }

  /** The id the next transaction will carry. */
  get nextId(): number {
    return this.#nextId;
  }

  /** The next transaction; call {@link TransactionStream.answered} when its response arrives. */
  next(): HandbookTransaction {
    if (this.#sent === this.#answered) {
      // Catch up for the transactions that shared the last time, so the stream keeps the
      // simulator's pace on average (`step` seconds a transaction) however bursty the load.
      this.#time += this.#step * Math.max(1, this.#sent - this.#sentAtLastStep);
      this.#sentAtLastStep = this.#sent;
    }
    this.#sent++;
    const rng = this.#rng;
    return {
      TRANSACTION_ID: this.#nextId++,
      TX_TIME_SECONDS: this.#time,
      CUSTOMER_ID: rng.integer(0, this.#customers),
      TERMINAL_ID: rng.integer(0, this.#terminals),
      // Amounts like the simulator's: most between a few and ~150, a long right tail.
      TX_AMOUNT: Math.round(Math.exp(rng.normal(3.6, 0.8)) * 100) / 100,
    };
  }

  /** Records that one response (of any status) has arrived. */
  answered(): void {
    this.#answered++;
  }

  /**
   * Forgets requests that will never be answered (a load run stopped with some in flight), so
   * the next run starts with the clock free to move.
   */
  settle(): void {
    this.#answered = this.#sent;
  }
}
