import { type Estimator, ManifestInvalidError, readArtifact } from '@mlsd/core';
import { ColumnTransformer } from './column-transformer.js';
import { defaultStepRegistry } from './default-step-registry.js';
import { Pipeline } from './pipeline.js';
import {
  PIPELINE_ARTIFACT_KIND,
  PIPELINE_FILE,
  PIPELINE_FORMAT_VERSION,
} from './pipeline-artifact.js';
import type { StepRegistry } from './step-registry.js';

/** How {@link readPipeline} rebuilds the steps. */
export interface ReadPipelineOptions {
  /** Where step types are looked up (default: {@link defaultStepRegistry}). */
  registry?: StepRegistry;
  /** Check the files' sha256 against the manifest (default true). */
  verify?: boolean;
}

/**
 * Reads an artifact written by `writePipeline` (or `save`) and rebuilds its root step (and,
 * through the registry, every nested step).
 * @throws NotFoundError / ManifestInvalidError / ChecksumMismatchError from reading the artifact.
 * @throws NotFoundError for a step type the registry does not know.
 */
export async function readPipeline(
  dir: string,
  options: ReadPipelineOptions = {},
): Promise<Estimator> {
  const artifact = await readArtifact(dir, {
    kind: PIPELINE_ARTIFACT_KIND,
    formatVersion: PIPELINE_FORMAT_VERSION,
    ...(options.verify === undefined ? {} : { verify: options.verify }),
  });
  const json = await artifact.readJson(PIPELINE_FILE);
  return (options.registry ?? defaultStepRegistry).build(json, `readPipeline(${dir})`);
}

/**
 * Loads a pipeline saved by `Pipeline.save`.
 * @throws ManifestInvalidError when the artifact holds something other than a Pipeline.
 */
export async function loadPipeline(
  dir: string,
  options: ReadPipelineOptions = {},
): Promise<Pipeline> {
  return expectRoot(dir, await readPipeline(dir, options), Pipeline, 'loadPipeline');
}

/**
 * Loads a column transformer saved by `ColumnTransformer.save`.
 * @throws ManifestInvalidError when the artifact holds something other than a ColumnTransformer.
 */
export async function loadColumnTransformer(
  dir: string,
  options: ReadPipelineOptions = {},
): Promise<ColumnTransformer> {
  return expectRoot(
    dir,
    await readPipeline(dir, options),
    ColumnTransformer,
    'loadColumnTransformer',
  );
}

function expectRoot<T>(
  dir: string,
  loaded: Estimator,
  expected: abstract new (...args: never[]) => T,
  where: string,
): T {
  if (!(loaded instanceof expected)) {
    throw new ManifestInvalidError(
      `${where}(${dir}): the artifact holds a ${(loaded as { kind?: string }).kind}, not a ${expected.name}; load it with readPipeline().`,
    );
  }
  return loaded;
}
