import { join } from 'node:path';
import { FraudModel } from '@mlsd/fraud';
import { simulatorTimeOf } from './transaction-stream.js';

/** What the hostile benches serve. */
export interface HostileArtifacts {
  fraudModelDir: string;
  imageIndexDir: string;
  /** A valid PNG of the index's kind. */
  sampleImagePng: Buffer;
  /** The fraud model's online clock, in the simulator's TX_TIME_SECONDS. */
  clock: number;
  /** Features and drift-reference size, for the results' setup line. */
  modelSummary: string;
}

/**
 * The service tests' artifact builders with a bigger simulated world, so the fraud model's drift
 * reference has ~6,700 rows as in issue 13, plus the 600-image index; written below `work`.
 */
export async function buildHostileArtifacts(work: string): Promise<HostileArtifacts> {
  const fixtures = await import('@mlsd/test-utils/serve-artifacts');
  const built = await fixtures.buildTestArtifacts(join(work, 'images'));
  const fraudModelDir = join(work, 'fraud-model');
  await fixtures.buildSmallFraudModel(fraudModelDir, {
    customers: 1_000,
    terminals: 2_000,
    laterDays: 1,
    seed: 11,
    referenceRows: 6_700,
  });
  // Only the clock and a description are kept: the loaded model (its online state included) is
  // garbage once read, so the load generator's heap — and its collector's pauses, which would be
  // counted as the service's latency — stays small.
  const model = await FraudModel.load(fraudModelDir);
  return {
    fraudModelDir,
    imageIndexDir: built.imageIndexDir,
    sampleImagePng: built.sampleImagePng,
    clock: simulatorTimeOf(model.state?.watermark),
    modelSummary: `${model.features.names.length} features, drift reference ${model.reference.rows} rows`,
  };
}
