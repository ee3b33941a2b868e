import {
  describeWithNearest,
  type Estimator,
  type EstimatorJSON,
  InvalidArgumentError,
  ManifestInvalidError,
  NotFoundError,
} from '@mlsd/core';

/**
 * Rebuilds a step from what its `toJSON()` returned. Composite steps (a pipeline inside a
 * column transformer) rebuild their children through `registry`, so user-registered step types
 * work at any depth.
 */
export type StepBuilder = (
  json: EstimatorJSON,
  registry: StepRegistry,
) => Estimator | Promise<Estimator>;

/**
 * Maps a step's `kind` (its class name in JSON) to the function that rebuilds it, so a saved
 * {@link Pipeline} or {@link ColumnTransformer} can be loaded back step by step. The
 * {@link defaultStepRegistry} knows the built-in transformers; register your own models and
 * transformers there (or in a registry of your own) before loading a pipeline that holds them.
 *
 * @example
 * ```ts
 * defaultStepRegistry.register('MyModel', (json) => MyModel.fromJSON(json));
 * const pipeline = await loadPipeline('artifacts/fraud-pipeline');
 * ```
 */
export class StepRegistry {
  readonly #builders = new Map<string, StepBuilder>();

  /** A registry holding the given builders (none by default). */
  constructor(builders: Readonly<Record<string, StepBuilder>> = {}) {
    for (const [kind, builder] of Object.entries(builders)) this.register(kind, builder);
  }

  /**
   * Registers how to rebuild steps of `kind`. Registering a kind twice is an error unless
   * `replace` is set, so two libraries cannot silently shadow each other's step types.
   */
  register(kind: string, builder: StepBuilder, options: { replace?: boolean } = {}): this {
    if (typeof kind !== 'string' || kind.length === 0) {
      throw new InvalidArgumentError('StepRegistry.register: kind must be a non-empty string.');
    }
    if (typeof builder !== 'function') {
      throw new InvalidArgumentError(
        `StepRegistry.register: the builder for "${kind}" must be a function (json, registry) => step, e.g. (json) => MyModel.fromJSON(json).`,
      );
    }
    if (this.#builders.has(kind) && options.replace !== true) {
      throw new InvalidArgumentError(
        `StepRegistry.register: step type "${kind}" is already registered; pass { replace: true } to override it.`,
        { kind },
      );
    }
    this.#builders.set(kind, builder);
    return this;
  }

  /** True when steps of `kind` can be rebuilt. */
  has(kind: string): boolean {
    return this.#builders.has(kind);
  }

  /** Registered kinds, sorted. */
  kinds(): string[] {
    return [...this.#builders.keys()].sort();
  }

  /** A copy of this registry, to extend without touching the original. */
  clone(): StepRegistry {
    const copy = new StepRegistry();
    for (const [kind, builder] of this.#builders) copy.register(kind, builder);
    return copy;
  }

  /**
   * Rebuilds one step from its JSON.
   * @throws ManifestInvalidError when `json` is not an estimator's JSON.
   * @throws NotFoundError when its kind is not registered (naming the nearest registered kind).
   */
  async build(json: unknown, where = 'StepRegistry.build'): Promise<Estimator> {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new ManifestInvalidError(
        `${where}: expected a step's JSON { kind, version, params, state }, got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}.`,
      );
    }
    const kind = (json as { kind?: unknown }).kind;
    if (typeof kind !== 'string') {
      throw new ManifestInvalidError(`${where}: the step's JSON has no string "kind".`);
    }
    const builder = this.#builders.get(kind);
    if (builder === undefined) {
      throw new NotFoundError(
        `${where}: no step type ${describeWithNearest(kind, this.#builders.keys())} is registered; ` +
          `register it first with defaultStepRegistry.register('${kind}', (json) => ${kind}.fromJSON(json)) ` +
          `or pass a registry that has it. Registered: ${this.kinds().join(', ')}.`,
        { kind, registered: this.kinds() },
      );
    }
    return builder(json as EstimatorJSON, this);
  }
}
