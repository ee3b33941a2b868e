import { InvalidArgumentError, readArtifact } from '@mlsd/core';
import { Registry } from '@mlsd/core/internal';
import {
  CALIBRATED_ARTIFACT_KIND,
  CalibratedClassifier,
} from '../calibration/calibrated-classifier.js';
import type { BinaryClassifier } from '../models/binary-classifier.js';
import {
  type ParamSpace,
  type ParamSpaceInput,
  type Params,
  parseParamSpace,
} from '../selection/param-space.js';

/** How to build and load one kind of classifier (see {@link ClassifierRegistry.register}). */
export interface ClassifierKind {
  /**
   * A fresh, unfitted classifier from JSON-safe hyperparameters (the model validates them).
   * Called on the main thread and in search worker threads alike, so it must not capture state.
   */
  create(params: Readonly<Params>): BinaryClassifier;
  /** Reads back what the classifier's `save(dir)` wrote. */
  load(dir: string): Promise<BinaryClassifier>;
  /** Where tuning searches by default (see `ParamSpaceInput`). */
  space?: ParamSpaceInput;
  /**
   * URL of a module that registers this kind when imported (`import.meta.url` of the file
   * that calls `register`): search worker threads import it before building the kind. Without
   * it, the kind can only be tuned in the calling thread (`workers: 0`).
   */
  module?: string | URL;
  /** One line for listings and errors. */
  description?: string;
}

/** A registered kind, its space validated. */
export interface RegisteredClassifierKind extends Omit<ClassifierKind, 'space' | 'module'> {
  readonly name: string;
  readonly space: ParamSpace;
  /** Module that registers it (`undefined` for a built-in kind or one registered without it). */
  readonly module: string | undefined;
  readonly builtIn: boolean;
}

/**
 * The model kinds mlsd can train, tune, save and load, by name. The built-in kinds (`logreg`,
 * `mlp`, `gbdt`) are registered in {@link classifierRegistry}; a user adds a kind with
 * {@link register} — a factory from hyperparameters and a loader for its saved folders —
 * without editing this package, and the fraud system, `searchModels` and the CLI then accept
 * its name like a built-in one.
 *
 * @example
 * ```ts
 * classifierRegistry.register('knn', {
 *   create: (params) => new MyKnn(params),
 *   load: (dir) => MyKnn.load(dir),
 *   space: { k: [5, 15, 50] },
 *   module: import.meta.url, // so search workers can build it too
 * });
 * ```
 */
export class ClassifierRegistry {
  readonly #kinds = new Registry<RegisteredClassifierKind>({
    noun: 'classifier kind',
    howToAdd: 'classifierRegistry.register(name, { create, load })',
    missing: 'not-found',
  });

  /** A registry holding `builtIn` (name → kind), marked built-in. */
  constructor(builtIn: Readonly<Record<string, ClassifierKind>> = {}) {
    for (const [name, kind] of Object.entries(builtIn)) this.#add(name, kind, true);
  }

  /**
   * Adds a kind under `name` (letters, digits, `.`, `_`, `-`).
   * @throws InvalidArgumentError for a bad name or space, or a name already taken (pass
   * `{ replace: true }` to replace it on purpose).
   */
  register(name: string, kind: ClassifierKind, options: { replace?: boolean } = {}): this {
    if (typeof kind?.create !== 'function' || typeof kind.load !== 'function') {
      throw new InvalidArgumentError(
        `Classifier registry: "${name}" needs create(params) and load(dir) functions.`,
        { name },
      );
    }
    this.#add(name, kind, false, options);
    return this;
  }

  /** Removes a kind; returns whether it was there. */
  unregister(name: string): boolean {
    return this.#kinds.unregister(name);
  }

  /** Whether `name` is registered. */
  has(name: string): boolean {
    return this.#kinds.has(name);
  }

  /** Registered names, in registration order. */
  get names(): string[] {
    return this.#kinds.names();
  }

  /** The kind called `name`; throws NotFoundError naming the nearest registered one. */
  get(name: string): RegisteredClassifierKind {
    return this.#kinds.get(name);
  }

  /** A fresh classifier of kind `name` with `params` (the kind's defaults for the rest). */
  create(name: string, params: Readonly<Params> = {}): BinaryClassifier {
    return this.get(name).create(params);
  }

  /**
   * Loads a classifier of kind `name` saved in `dir` — calibrated (a `CalibratedClassifier`
   * around a model of that kind) or not, as the folder says.
   */
  async load(name: string, dir: string): Promise<BinaryClassifier> {
    const kind = this.get(name);
    const { manifest } = await readArtifact(dir, { verify: false });
    if (manifest.kind === CALIBRATED_ARTIFACT_KIND) {
      return CalibratedClassifier.load(dir, (baseKind, baseDir) => this.load(baseKind, baseDir));
    }
    return kind.load(dir);
  }

  #add(
    name: string,
    kind: ClassifierKind,
    builtIn: boolean,
    options: { replace?: boolean } = {},
  ): void {
    const module = kind.module === undefined ? undefined : String(kind.module);
    this.#kinds.register(
      name,
      {
        name,
        create: kind.create,
        load: kind.load,
        space: parseParamSpace(kind.space ?? {}, `classifier "${name}" space`),
        module,
        builtIn,
        ...(kind.description === undefined ? {} : { description: kind.description }),
      },
      options,
    );
  }
}
