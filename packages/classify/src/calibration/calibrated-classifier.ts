import { join } from 'node:path';
import {
  InvalidArgumentError,
  type Manifest,
  ManifestInvalidError,
  type Matrix,
  readArtifact,
  writeArtifact,
} from '@mlsd/core';
import { z } from 'zod';
import type { BinaryClassifier, BinaryClassifierFitOptions } from '../models/binary-classifier.js';
import { IsotonicCalibrator } from './isotonic-calibrator.js';
import { PlattCalibrator } from './platt-calibrator.js';

/** Artifact kind written by {@link CalibratedClassifier.save}. */
export const CALIBRATED_ARTIFACT_KIND = 'calibrated-classifier';
const FORMAT_VERSION = 1;

/** How scores are mapped to probabilities. */
export type CalibrationMethod = 'platt' | 'isotonic';

/** A fitted calibrator of either method. */
export type Calibrator = PlattCalibrator | IsotonicCalibrator;

/** Held-out rows a calibrator is fitted on: never the test period. */
export interface CalibrationSet {
  X: Matrix;
  y: ArrayLike<number>;
}

const ParamsSchema = z.object({
  baseKind: z.string().min(1),
  method: z.enum(['platt', 'isotonic']),
});

/** A fresh calibrator of `method`, fitted on held-out `scores` (probabilities) and labels. */
export async function fitCalibrator(
  method: CalibrationMethod,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): Promise<Calibrator> {
  if (method === 'platt') return new PlattCalibrator().fit(scores, labels);
  if (method === 'isotonic') return new IsotonicCalibrator().fit(scores, labels);
  throw new InvalidArgumentError(
    `Unknown calibration method ${JSON.stringify(method)}; choose 'platt' or 'isotonic'.`,
  );
}

/**
 * A classifier whose scores go through a calibrator, so that a score is a probability: of the
 * transactions scored 0.2, about a fifth are frauds. The base classifier and the calibrator are
 * fitted on different rows — the calibrator on held-out (validation) scores, never on the rows
 * the base learned from, nor on the test period. Saved as one artifact (kind
 * `'calibrated-classifier'`) with the base model in `base/`; the classifier registry loads it
 * under the base's kind name.
 */
export class CalibratedClassifier implements BinaryClassifier {
  readonly kind = 'CalibratedClassifier';
  readonly base: BinaryClassifier;
  /** Registry kind of the base classifier (how to load it back). */
  readonly baseKind: string;
  readonly method: CalibrationMethod;
  #calibrator: Calibrator | undefined;
  /**
   * Calibrated P(y = 1) of one row, equal to the bit to {@link predictProba} of a one-row
   * matrix of it: present when the base has a one-row path (`BinaryClassifier.predictProbaRow`),
   * so an online scorer keeps the base's fast path through the calibrator.
   */
  readonly predictProbaRow?: (row: Float32Array | Float64Array) => number;

  /** Wraps `base` (fitted or not); `calibrator` when one was already fitted for it. */
  constructor(
    base: BinaryClassifier,
    baseKind: string,
    method: CalibrationMethod,
    calibrator?: Calibrator,
  ) {
    this.base = base;
    this.baseKind = baseKind;
    this.method = method;
    this.#calibrator = calibrator;
    const baseRow = base.predictProbaRow;
    if (baseRow !== undefined) {
      const one = new Float64Array(1);
      this.predictProbaRow = (row) => {
        one[0] = baseRow.call(base, row);
        return this.calibrator.transform(one)[0]!;
      };
    }
  }

  /**
   * Fits the base classifier on `X`, `y` and the calibrator on the base's scores of the
   * held-out `calibration` rows.
   * @throws InvalidArgumentError without held-out rows: calibrating on the training rows would
   * learn the base model's overconfidence on what it has seen.
   */
  async fit(
    X: Matrix,
    y: ArrayLike<number>,
    options: BinaryClassifierFitOptions & { calibration?: CalibrationSet } = {},
  ): Promise<this> {
    const { calibration, ...fitOptions } = options;
    if (calibration === undefined) {
      throw new InvalidArgumentError(
        'CalibratedClassifier.fit: pass held-out rows as { calibration: { X, y } }; a calibrator fitted on the training rows learns nothing useful.',
      );
    }
    await this.base.fit(X, y, fitOptions);
    this.#calibrator = await fitCalibrator(
      this.method,
      this.base.predictProba(calibration.X),
      calibration.y,
    );
    return this;
  }

  /** The fitted calibrator. */
  get calibrator(): Calibrator {
    if (this.#calibrator === undefined) {
      throw new InvalidArgumentError('CalibratedClassifier: not calibrated yet; call fit first.');
    }
    return this.#calibrator;
  }

  /** Calibrated P(y = 1) of every row. */
  predictProba(X: Matrix): Float64Array {
    return this.calibrator.transform(this.base.predictProba(X));
  }

  /** Writes the base model (`base/`) and the calibrator as one artifact folder. */
  async save(dir: string): Promise<Manifest> {
    return writeArtifact(dir, {
      kind: CALIBRATED_ARTIFACT_KIND,
      formatVersion: FORMAT_VERSION,
      description: `${this.baseKind} scores calibrated by ${this.method === 'platt' ? 'Platt scaling' : 'isotonic regression'}`,
      params: { baseKind: this.baseKind, method: this.method },
      files: { 'calibrator.json': JSON.stringify(this.calibrator.toJSON()) },
      write: async (staging) => {
        await this.base.save(join(staging, 'base'));
      },
    });
  }

  /**
   * Reads what {@link save} wrote; `loadBase(kind, dir)` reads the base model (the registry's
   * loader of the recorded kind).
   */
  static async load(
    dir: string,
    loadBase: (kind: string, dir: string) => Promise<BinaryClassifier>,
  ): Promise<CalibratedClassifier> {
    const artifact = await readArtifact(dir, {
      kind: CALIBRATED_ARTIFACT_KIND,
      formatVersion: FORMAT_VERSION,
    });
    const parsed = ParamsSchema.safeParse(artifact.manifest.params);
    if (!parsed.success) {
      throw new ManifestInvalidError(
        `${dir}: the calibrated classifier's manifest lacks a base kind or a method (platt / isotonic).`,
      );
    }
    const { baseKind, method } = parsed.data;
    const json = await artifact.readJson('calibrator.json');
    const calibrator =
      method === 'platt' ? PlattCalibrator.fromJSON(json) : IsotonicCalibrator.fromJSON(json);
    const base = await loadBase(baseKind, join(artifact.dir, 'base'));
    return new CalibratedClassifier(base, baseKind, method, calibrator);
  }
}
