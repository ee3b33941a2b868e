import { describeWithNearest, InvalidArgumentError, NotFoundError, readArtifact } from '@mlsd/core';
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

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

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
  readonly #kinds = new Map<string, RegisteredClassifierKind>();

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
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new InvalidArgumentError(
        `Classifier registry: ${JSON.stringify(name)} is not a usable name; use letters, digits, ".", "_" or "-".`,
      );
    }
    if (this.#kinds.has(name) && options.replace !== true) {
      throw new InvalidArgumentError(
        `Classifier registry: "${name}" is already registered; pick another name or pass { replace: true }.`,
        { name },
      );
    }
    if (typeof kind?.create !== 'function' || typeof kind.load !== 'function') {
      throw new InvalidArgumentError(
        `Classifier registry: "${name}" needs create(params) and load(dir) functions.`,
        { name },
      );
    }
    this.#add(name, kind, false);
    return this;
  }

  /** Removes a kind; returns whether it was there. */
  unregister(name: string): boolean {
    return this.#kinds.delete(name);
  }

  /** Whether `name` is registered. */
  has(name: string): boolean {
    return this.#kinds.has(name);
  }

  /** Registered names, in registration order. */
  get names(): string[] {
    return [...this.#kinds.keys()];
  }

  /** The kind called `name`; throws NotFoundError naming the nearest registered one. */
  get(name: string): RegisteredClassifierKind {
    const kind = this.#kinds.get(name);
    if (kind === undefined) {
      throw new NotFoundError(
        `No classifier kind ${describeWithNearest(name, this.#kinds.keys())}; registered: ${this.names.join(', ')}. Register new kinds with classifierRegistry.register(name, { create, load }).`,
        { name, registered: this.names },
      );
    }
    return kind;
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

  #add(name: string, kind: ClassifierKind, builtIn: boolean): void {
    const module = kind.module === undefined ? undefined : String(kind.module);
    this.#kinds.set(name, {
      name,
      create: kind.create,
      load: kind.load,
      space: parseParamSpace(kind.space ?? {}, `classifier "${name}" space`),
      module,
      builtIn,
      ...(kind.description === undefined ? {} : { description: kind.description }),
    });
  }
}
