import { join } from 'node:path';
import type { ClassWeight } from '@mlsd/classify';
import {
  decodeTypedArray,
  type EncodedTypedArray,
  encodeTypedArray,
  type Matrix,
  readArtifact,
  toMatrix,
  writeArtifact,
} from '@mlsd/core';
import {
  FeatureSet,
  type OnlineFeatureState,
  readFeatureState,
  writeFeatureState,
} from '@mlsd/features';
import { z } from 'zod';
import { type BinaryClassifier, type FraudModelKind, loadClassifier } from './classifiers.js';
import { type ResolvedFraudConfig, resolveFraudConfig } from './config/resolve-fraud-config.js';
import { type FraudProtocol, FraudProtocolSchema } from './fraud-protocol.js';

/** Artifact kind of a saved fraud model. */
export const FRAUD_MODEL_KIND = 'fraud-model';
/** Version 2: the model holds its pipeline config (any transaction log), not the simulator's columns. */
const FORMAT_VERSION = 2;

const ParamsSchema = z.object({
  config: z.unknown(),
  features: z.unknown(),
  protocol: FraudProtocolSchema,
  threshold: z.number(),
  referenceRows: z.number().int().nonnegative(),
  example: z.record(z.string(), z.union([z.string(), z.number()])).nullable(),
});

/** What a fraud model holds besides its classifier. */
export interface FraudModelParts {
  classifier: BinaryClassifier;
  /** The pipeline config it was trained with (columns, features, protocol, model). */
  config: ResolvedFraudConfig;
  /** The features, fitted on the training rows. */
  features: FeatureSet;
  /** The protocol with its dates fixed from the training data's span. */
  protocol: FraudProtocol;
  /** Score at or above which a transaction is flagged (chosen on the validation period). */
  threshold: number;
  /** A sample of the training feature rows: the reference distributions for drift monitoring. */
  reference: Matrix<Float32Array>;
  /** Online feature state after the training data, to score new transactions from there. */
  state?: OnlineFeatureState | undefined;
  /**
   * A transaction as the log writes it (raw columns), just after the training data: what a
   * request to the scoring service looks like.
   */
  example?: Record<string, string | number> | undefined;
  /** Figures measured while training (validation metrics, timings). */
  metrics: Record<string, unknown>;
}

/**
 * A trained fraud model: its pipeline config (which columns of the log are what, the features,
 * the protocol) + the fitted features + classifier + alert threshold + the reference
 * distributions and online state it was saved with. Saved as one artifact folder; `evaluate`,
 * `score`, `predict` and `serve` read transactions through its config.
 */
export class FraudModel {
  readonly classifier: BinaryClassifier;
  readonly config: ResolvedFraudConfig;
  readonly features: FeatureSet;
  readonly protocol: FraudProtocol;
  readonly threshold: number;
  readonly reference: Matrix<Float32Array>;
  readonly state: OnlineFeatureState | undefined;
  readonly example: Record<string, string | number> | undefined;
  readonly metrics: Record<string, unknown>;

  constructor(parts: FraudModelParts) {
    this.classifier = parts.classifier;
    this.config = parts.config;
    this.features = parts.features;
    this.protocol = parts.protocol;
    this.threshold = parts.threshold;
    this.reference = parts.reference;
    this.state = parts.state;
    this.example = parts.example;
    this.metrics = parts.metrics;
  }

  /** The classifier's kind (`config.model.kind`). */
  get kind(): FraudModelKind {
    return this.config.model.kind;
  }

  /** Class weighting it was trained with. */
  get classWeight(): ClassWeight {
    return this.config.model.classWeight;
  }

  /** Seed it was trained with. */
  get seed(): number {
    return this.config.model.seed;
  }

  /** Fraud probability of each row of a feature matrix (columns in `features.names` order). */
  score(X: Matrix): Float64Array {
    return this.classifier.predictProba(X);
  }

  /**
   * Fraud probability of one feature vector (columns in `features.names` order): the same
   * number as {@link score} of a one-row matrix of it, through the classifier's one-row path
   * when it has one (`predictProbaRow`: the trees, calibrated or not), which allocates nothing.
   */
  scoreRow(vector: Float32Array | Float64Array): number {
    const { classifier } = this;
    return classifier.predictProbaRow === undefined
      ? classifier.predictProba(toMatrix(vector, 1, vector.length))[0]!
      : classifier.predictProbaRow(vector);
  }

  /**
   * Builds the classifier's one-row path now (for trees, their packed layout: milliseconds for a
   * few hundred trees) so that the first {@link FraudModel.scoreRow} of a service does not pay
   * for it. Does nothing for a classifier without one.
   */
  prepareScoreRow(): void {
    if (this.classifier.predictProbaRow !== undefined) {
      this.scoreRow(new Float32Array(this.features.names.length));
    }
  }

  /** Saves the model as an artifact folder (atomic; checksums in the manifest). */
  async save(dir: string): Promise<void> {
    const reference = this.reference;
    const { layout: _layout, cardEntity: _card, ...config } = this.config;
    await writeArtifact(dir, {
      kind: FRAUD_MODEL_KIND,
      formatVersion: FORMAT_VERSION,
      description: `Fraud model (${this.kind}) on ${this.features.names.length} point-in-time features.`,
      params: {
        config,
        features: this.features.spec,
        protocol: this.protocol,
        threshold: this.threshold,
        referenceRows: reference.rows,
        example: this.example ?? null,
      },
      metrics: this.metrics,
      files: {
        'reference.json': JSON.stringify({
          names: this.features.names,
          rows: reference.rows,
          cols: reference.cols,
          data: encodeTypedArray(reference.data),
        }),
      },
      write: async (staging) => {
        await this.classifier.save(join(staging, 'classifier'));
        if (this.state !== undefined) await writeFeatureState(join(staging, 'state'), this.state);
      },
    });
  }

  /**
   * Loads a model saved by {@link FraudModel.save}, verifying every file's checksum.
   * @throws NotFoundError, ManifestInvalidError or ChecksumMismatchError saying what is wrong.
   */
  static async load(dir: string): Promise<FraudModel> {
    const artifact = await readArtifact(dir, {
      kind: FRAUD_MODEL_KIND,
      formatVersion: FORMAT_VERSION,
    });
    const params = ParamsSchema.parse(artifact.manifest.params);
    const config = resolveFraudConfig(
      params.config as Parameters<typeof resolveFraudConfig>[0],
      `${dir}: the model's config`,
    );
    const features = new FeatureSet(params.features as ConstructorParameters<typeof FeatureSet>[0]);
    const classifier = await loadClassifier(config.model.kind, join(artifact.dir, 'classifier'));
    const referenceJson = await artifact.readJson<{ rows: number; cols: number; data: unknown }>(
      'reference.json',
    );
    const data = decodeTypedArray(referenceJson.data as EncodedTypedArray) as Float32Array;
    const hasState = artifact.manifest.files.some((file) => file.path.startsWith('state/'));
    return new FraudModel({
      classifier,
      config,
      features,
      protocol: params.protocol,
      threshold: params.threshold,
      reference: toMatrix(data, referenceJson.rows, referenceJson.cols, features.names),
      state: hasState ? await readFeatureState(join(artifact.dir, 'state')) : undefined,
      example: params.example ?? undefined,
      metrics: artifact.manifest.metrics,
    });
  }
}
