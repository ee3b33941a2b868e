import { join } from 'node:path';
import { type ClassWeight, ClassWeightSchema } from '@mlsd/classify';
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
import { type FraudProtocol, FraudProtocolSchema } from './fraud-protocol.js';

/** Artifact kind of a saved fraud model. */
export const FRAUD_MODEL_KIND = 'fraud-model';
const FORMAT_VERSION = 1;

const ParamsSchema = z.object({
  /** A kind registered in classifierRegistry (@mlsd/classify). */
  model: z.string().min(1),
  classWeight: ClassWeightSchema,
  seed: z.number(),
  threshold: z.number(),
  protocol: FraudProtocolSchema,
  features: z.unknown(),
  referenceRows: z.number().int().nonnegative(),
});

/** What a fraud model holds besides its classifier. */
export interface FraudModelParts {
  classifier: BinaryClassifier;
  kind: FraudModelKind;
  classWeight: ClassWeight;
  seed: number;
  features: FeatureSet;
  protocol: FraudProtocol;
  /** Score at or above which a transaction is flagged (chosen on the validation period). */
  threshold: number;
  /** A sample of the training feature rows: the reference distributions for drift monitoring. */
  reference: Matrix<Float32Array>;
  /** Online feature state after the training data, to score new transactions from there. */
  state?: OnlineFeatureState | undefined;
  /** Figures measured while training (validation metrics, timings). */
  metrics: Record<string, unknown>;
}

/**
 * A trained fraud model: features definition + classifier + alert threshold + the reference
 * distributions and online state it was saved with. Saved as one artifact folder.
 */
export class FraudModel {
  readonly classifier: BinaryClassifier;
  readonly kind: FraudModelKind;
  readonly classWeight: ClassWeight;
  readonly seed: number;
  readonly features: FeatureSet;
  readonly protocol: FraudProtocol;
  readonly threshold: number;
  readonly reference: Matrix<Float32Array>;
  readonly state: OnlineFeatureState | undefined;
  readonly metrics: Record<string, unknown>;

  constructor(parts: FraudModelParts) {
    this.classifier = parts.classifier;
    this.kind = parts.kind;
    this.classWeight = parts.classWeight;
    this.seed = parts.seed;
    this.features = parts.features;
    this.protocol = parts.protocol;
    this.threshold = parts.threshold;
    this.reference = parts.reference;
    this.state = parts.state;
    this.metrics = parts.metrics;
  }

  /** Fraud probability of each row of a feature matrix (columns in `features.names` order). */
  score(X: Matrix): Float64Array {
    return this.classifier.predictProba(X);
  }

  /** Saves the model as an artifact folder (atomic; checksums in the manifest). */
  async save(dir: string): Promise<void> {
    const reference = this.reference;
    await writeArtifact(dir, {
      kind: FRAUD_MODEL_KIND,
      formatVersion: FORMAT_VERSION,
      description: `Fraud model (${this.kind}) on ${this.features.names.length} point-in-time features.`,
      params: {
        model: this.kind,
        classWeight: this.classWeight,
        seed: this.seed,
        threshold: this.threshold,
        protocol: this.protocol,
        features: this.features.toJSON(),
        referenceRows: reference.rows,
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
    const features = new FeatureSet(params.features as ConstructorParameters<typeof FeatureSet>[0]);
    const classifier = await loadClassifier(params.model, join(artifact.dir, 'classifier'));
    const referenceJson = await artifact.readJson<{ rows: number; cols: number; data: unknown }>(
      'reference.json',
    );
    const data = decodeTypedArray(referenceJson.data as EncodedTypedArray) as Float32Array;
    const hasState = artifact.manifest.files.some((file) => file.path.startsWith('state/'));
    return new FraudModel({
      classifier,
      kind: params.model,
      classWeight: params.classWeight,
      seed: params.seed,
      features,
      protocol: params.protocol,
      threshold: params.threshold,
      reference: toMatrix(data, referenceJson.rows, referenceJson.cols, features.names),
      state: hasState ? await readFeatureState(join(artifact.dir, 'state')) : undefined,
      metrics: artifact.manifest.metrics,
    });
  }
}
