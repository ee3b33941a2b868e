import {
  describeWithNearest,
  type EstimatorJSON,
  InvalidArgumentError,
  type Manifest,
  ManifestInvalidError,
  type Matrix,
  NotFittedError,
  NotFoundError,
} from '@mlsd/core';
import type { FeatureInput } from './feature-input.js';
import {
  fitThenTransform,
  isPredictor,
  isTransformer,
  type PipelineStep,
  type Predictor,
  type Transformer,
} from './step.js';
import type { StepRegistry } from './step-registry.js';
import {
  gatherUnknownCategories,
  resetUnknownCategoriesOf,
  type StepUnknownCategoryReport,
} from './unknown-categories.js';
import { type WritePipelineOptions, writePipeline } from './write-pipeline.js';

/** One named step of a {@link Pipeline}. */
export type NamedStep<S extends PipelineStep = PipelineStep> = readonly [name: string, step: S];

/** What {@link Pipeline.predict} returns for a pipeline whose last step is `Last`. */
export type PredictOutput<Last> = Last extends { predict(input: Matrix): infer R } ? R : never;

/** What {@link Pipeline.predictProba} returns for a pipeline whose last step is `Last`. */
export type PredictProbaOutput<Last> = Last extends { predictProba(input: Matrix): infer R }
  ? R
  : never;

/** Layout of {@link Pipeline.toJSON}'s `state`. */
export interface PipelineState {
  /** Every step's name and JSON, in order. */
  steps: { name: string; step: EstimatorJSON }[];
}

const STEP_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Named steps run in order, as scikit-learn's `Pipeline`: `fit` fits each transformer on the
 * output of the ones before it (passing the target along) and then the last step; `transform`
 * and `predict` run the fitted chain. Every step but the last must be a {@link Transformer};
 * the last may be a transformer or any model with `fit` / `predict` (a {@link Predictor}).
 *
 * The whole chain saves to one artifact folder ({@link Pipeline.save}, kind `'pipeline'`) and
 * loads back step by step through a {@link StepRegistry} (`loadPipeline`).
 *
 * @example
 * ```ts
 * const pipeline = new Pipeline([
 *   ['columns', new ColumnTransformer([['scale', new StandardScaler(), ['TX_AMOUNT']]])],
 *   ['model', new LogisticRegression()],
 * ]);
 * await pipeline.fit(train, labels);
 * const scores = pipeline.predictProba(test);
 * await pipeline.save('artifacts/fraud-pipeline');
 * ```
 *
 * @typeParam Last - type of the final step, so `predict` returns what it returns.
 */
export class Pipeline<Last extends PipelineStep = PipelineStep> implements Transformer {
  readonly kind = 'Pipeline';
  readonly #steps: readonly NamedStep[];

  /**
   * Checks the steps: at least one, names unique, made of letters, digits, `_`, `.`, `-`
   * (no `__`, which names nested parameters), every step but the last a transformer, the last
   * a transformer or predictor. Nothing is fitted here.
   */
  constructor(steps: readonly [...NamedStep<Transformer>[], NamedStep<Last>]);
  constructor(steps: readonly NamedStep[]);
  constructor(steps: readonly NamedStep[]) {
    if (!Array.isArray(steps) || steps.length === 0) {
      throw new InvalidArgumentError(
        'Pipeline: pass at least one [name, step] pair, e.g. [["scale", new StandardScaler()]].',
      );
    }
    const seen = new Set<string>();
    steps.forEach((entry, index) => {
      if (!Array.isArray(entry) || entry.length !== 2) {
        throw new InvalidArgumentError(
          `Pipeline: step ${index} must be a [name, step] pair, got ${JSON.stringify(entry)?.slice(0, 60)}.`,
        );
      }
      const [name, step] = entry;
      if (typeof name !== 'string' || !STEP_NAME.test(name) || name.includes('__')) {
        throw new InvalidArgumentError(
          `Pipeline: step ${index} has name ${JSON.stringify(name)}; use letters, digits, "_", "." or "-" (no "__").`,
        );
      }
      if (seen.has(name)) {
        throw new InvalidArgumentError(
          `Pipeline: two steps are named "${name}"; names must be unique.`,
        );
      }
      seen.add(name);
      const last = index === steps.length - 1;
      if (!isTransformer(step) && !(last && isPredictor(step))) {
        throw new InvalidArgumentError(
          last
            ? `Pipeline: the last step "${name}" needs fit() and transform() or predict(), and toJSON().`
            : `Pipeline: step "${name}" is not last, so it must be a transformer with fit(), transform() and toJSON().`,
          { step: name },
        );
      }
    });
    this.#steps = steps.map(([name, step]) => [name, step] as const);
  }

  /** The steps as `[name, step]` pairs, in order. */
  get steps(): NamedStep[] {
    return [...this.#steps];
  }

  /** The step called `name`; throws {@link NotFoundError} naming the nearest step. */
  step<S extends PipelineStep = PipelineStep>(name: string): S {
    const found = this.#steps.find(([stepName]) => stepName === name);
    if (found === undefined) {
      throw new NotFoundError(
        `Pipeline has no step ${describeWithNearest(
          name,
          this.#steps.map(([n]) => n),
        )}; steps: ${this.#steps.map(([n]) => n).join(', ')}.`,
        { step: name },
      );
    }
    return found[1] as S;
  }

  /** The final step. */
  get finalStep(): Last {
    return this.#steps[this.#steps.length - 1]![1] as Last;
  }

  /** True when every step is fitted. */
  get isFitted(): boolean {
    return this.#steps.every(([, step]) => step.isFitted);
  }

  /**
   * Fits every step in order on the output of the steps before it; `target` goes to every
   * step's `fit` (transformers ignore it). Resolves to this pipeline.
   */
  async fit(input: FeatureInput, target?: unknown): Promise<this> {
    const features = await this.#fitUpToLast(input, target);
    await (this.finalStep as PipelineStep as Transformer).fit(features, target);
    return this;
  }

  /** Fits, then returns the transform of `input` (the last step must be a transformer). */
  async fitTransform(input: FeatureInput, target?: unknown): Promise<Matrix> {
    const last = this.finalStep as PipelineStep;
    if (!isTransformer(last)) {
      throw new InvalidArgumentError(
        `Pipeline.fitTransform: the last step "${this.#lastName}" (${last.kind}) has no transform(); use fit() then predict().`,
      );
    }
    return fitThenTransform(last, await this.#fitUpToLast(input, target), target);
  }

  /**
   * Runs every step's `transform`; the last step must be a transformer.
   * @throws NotFittedError before `fit`.
   */
  transform(input: FeatureInput): Matrix {
    const last = this.finalStep as PipelineStep;
    if (!isTransformer(last)) {
      throw new InvalidArgumentError(
        `Pipeline.transform: the last step "${this.#lastName}" (${last.kind}) has no transform(); use predict().`,
      );
    }
    return last.transform(this.transformUpToLast(input));
  }

  /**
   * Runs every step but the last: the features the final step sees.
   * @throws NotFittedError before `fit`.
   */
  transformUpToLast(input: FeatureInput): FeatureInput {
    this.#assertFitted();
    let current: FeatureInput = input;
    for (const [, step] of this.#steps.slice(0, -1))
      current = (step as Transformer).transform(current);
    return current;
  }

  /** Transforms with every step but the last, then calls the last step's `predict`. */
  predict(input: FeatureInput): PredictOutput<Last> {
    const last = this.finalStep as PipelineStep;
    if (!isPredictor(last)) {
      throw new InvalidArgumentError(
        `Pipeline.predict: the last step "${this.#lastName}" (${last.kind}) has no predict().`,
      );
    }
    return last.predict(this.transformUpToLast(input) as Matrix) as PredictOutput<Last>;
  }

  /** Transforms with every step but the last, then calls the last step's `predictProba`. */
  predictProba(input: FeatureInput): PredictProbaOutput<Last> {
    const last = this.finalStep as PipelineStep;
    if (!isPredictor(last) || typeof last.predictProba !== 'function') {
      throw new InvalidArgumentError(
        `Pipeline.predictProba: the last step "${this.#lastName}" (${last.kind}) has no predictProba().`,
      );
    }
    return (last as Required<Predictor>).predictProba(
      this.transformUpToLast(input) as Matrix,
    ) as PredictProbaOutput<Last>;
  }

  /**
   * Unknown categories met since fit by every encoder in the pipeline (nested ones too), each
   * labelled with its step path (`"columns.city"`).
   */
  unknownCategories(): StepUnknownCategoryReport[] {
    return gatherUnknownCategories(this.#steps);
  }

  /** Forgets the unknown categories counted by every encoder in the pipeline. */
  resetUnknownCategories(): void {
    resetUnknownCategoriesOf(this.#steps);
  }

  /**
   * Every step's name and JSON, as `{ kind: 'Pipeline', version, params, state }`.
   * @throws NotFittedError naming the first step that is not fitted.
   */
  toJSON(): EstimatorJSON<{ steps: string[] }, PipelineState> {
    this.#assertFitted();
    return {
      kind: this.kind,
      version: 1,
      params: { steps: this.#steps.map(([name]) => name) },
      state: { steps: this.#steps.map(([name, step]) => ({ name, step: step.toJSON() })) },
    };
  }

  /**
   * Rebuilds a fitted pipeline from {@link Pipeline.toJSON} output, each step through
   * `registry` (pass `defaultStepRegistry`, or a registry of your own that knows every step type).
   * @throws ManifestInvalidError for JSON of another shape; NotFoundError for an unregistered step type.
   */
  static async fromJSON(json: unknown, registry: StepRegistry): Promise<Pipeline> {
    const blob = json as Partial<EstimatorJSON<unknown, Partial<PipelineState>>> | null;
    if (
      typeof blob !== 'object' ||
      blob === null ||
      blob.kind !== 'Pipeline' ||
      blob.version !== 1 ||
      !Array.isArray(blob.state?.steps)
    ) {
      throw new ManifestInvalidError(
        'Pipeline.fromJSON: expected { kind: "Pipeline", version: 1, state: { steps: [{ name, step }] } }.',
        { kind: blob?.kind, version: blob?.version },
      );
    }
    const steps: NamedStep[] = [];
    for (const entry of blob.state.steps as unknown[]) {
      const { name, step } = (entry ?? {}) as { name?: unknown; step?: unknown };
      if (typeof name !== 'string') {
        throw new ManifestInvalidError('Pipeline.fromJSON: a step has no string "name".');
      }
      const built = await registry.build(step, `Pipeline.fromJSON (step "${name}")`);
      steps.push([name, built as PipelineStep]);
    }
    return new Pipeline(steps);
  }

  /** Saves the fitted pipeline as one artifact folder (kind `'pipeline'`) at `dir`. */
  async save(dir: string, options: WritePipelineOptions = {}): Promise<Manifest> {
    return writePipeline(dir, this, options);
  }

  /** Fits every step but the last, each on the previous one's output; returns the last output. */
  async #fitUpToLast(input: FeatureInput, target: unknown): Promise<FeatureInput> {
    let current: FeatureInput = input;
    for (const [, step] of this.#steps.slice(0, -1)) {
      current = await fitThenTransform(step as Transformer, current, target);
    }
    return current;
  }

  get #lastName(): string {
    return this.#steps[this.#steps.length - 1]![0];
  }

  #assertFitted(): void {
    for (const [name, step] of this.#steps) {
      if (!step.isFitted) throw new NotFittedError('Pipeline', `step "${name}"`);
    }
  }
}
