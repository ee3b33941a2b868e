import { InvalidArgumentError, NotFoundError } from './errors.js';
import { describeWithNearest } from './nearest-name.js';

/** What a registry calls its entries and how a user adds one, for its error messages. */
export interface RegistryOptions {
  /** One entry, as a person says it: `'drift test'`, `'index backend'`, `'embedder kind'`. */
  readonly noun: string;
  /** The call that adds an entry, named when a lookup fails: `'registerDriftTest()'`. */
  readonly howToAdd: string;
  /**
   * The error a failed {@link Registry.get} throws: `'argument'` (InvalidArgumentError, the
   * default: the name came from the caller's options) or `'not-found'` (NotFoundError).
   */
  readonly missing?: 'argument' | 'not-found';
}

/** Letters, digits, `.`, `_`, `-`, starting with a letter or digit: safe in flags and files. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Named extension points (drift tests, index backends, embedder kinds, classifier kinds): one
 * place for the rules every seam shares — a usable name, no silent shadowing of an entry
 * (`replace: true` to swap one on purpose), lookups that fail with the registered names and
 * the nearest one. Names keep registration order, so built-in entries come first.
 */
export class Registry<T> {
  readonly #entries = new Map<string, T>();
  readonly #options: RegistryOptions;

  /** A registry holding `entries` (name → entry), in that order. */
  constructor(options: RegistryOptions, entries: Iterable<readonly [string, T]> = []) {
    this.#options = options;
    for (const [name, entry] of entries) this.register(name, entry);
  }

  /**
   * Adds `entry` under `name`.
   * @throws InvalidArgumentError for a name that is not letters, digits, `.`, `_` or `-`, or a
   *   name registered already (unless `replace`).
   */
  register(name: string, entry: T, options: { replace?: boolean } = {}): void {
    const { noun } = this.#options;
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new InvalidArgumentError(
        `The ${noun} name ${JSON.stringify(name)} must be letters, digits, '.', '_' or '-'.`,
        { name: String(name) },
      );
    }
    if (this.#entries.has(name) && options.replace !== true) {
      throw new InvalidArgumentError(
        `A ${noun} "${name}" is already registered; pass { replace: true } to replace it.`,
        { name },
      );
    }
    this.#entries.set(name, entry);
  }

  /** Removes the entry called `name`; returns whether there was one. */
  unregister(name: string): boolean {
    return this.#entries.delete(name);
  }

  /** Whether `name` is registered. */
  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** The registered names, in registration order. */
  names(): string[] {
    return [...this.#entries.keys()];
  }

  /** The registered entries, in registration order. */
  values(): T[] {
    return [...this.#entries.values()];
  }

  /** The entry called `name`, or undefined. */
  find(name: string): T | undefined {
    return this.#entries.get(name);
  }

  /**
   * The entry called `name`.
   * @throws InvalidArgumentError (or NotFoundError, see {@link RegistryOptions.missing}) naming
   *   the nearest registered name, every registered name and how to add one.
   */
  get(name: string): T {
    const entry = this.#entries.get(name);
    if (entry !== undefined) return entry;
    const { noun, howToAdd, missing = 'argument' } = this.#options;
    const registered = this.names();
    const message =
      `No ${noun} ${describeWithNearest(name, registered)} is registered ` +
      `(registered: ${registered.join(', ')}); add one with ${howToAdd}.`;
    const details = { name, registered };
    throw missing === 'not-found'
      ? new NotFoundError(message, details)
      : new InvalidArgumentError(message, details);
  }
}
