/**
 * A fitted pipeline (or column transformer, or any registered step) as one artifact folder:
 * `manifest.json` (kind `'pipeline'`) beside `pipeline.json`, the nested JSON of every step.
 */
import {
  type Estimator,
  InvalidArgumentError,
  type Manifest,
  readArtifact,
  writeArtifact,
} from '@mlsd/core';
import { defaultStepRegistry } from './default-step-registry.js';
import type { StepRegistry } from './step-registry.js';

/** Artifact kind of saved pipelines. */
export const PIPELINE_ARTIFACT_KIND = 'pipeline';
/** Layout version of the pipeline artifact. */
export const PIPELINE_FORMAT_VERSION = 1;
/** File in the artifact holding the steps' JSON. */
export const PIPELINE_FILE = 'pipeline.json';

/** Extra manifest content for {@link writePipeline}. */
export interface WritePipelineOptions {
  /** Figures measured when it was built (validation AUC, …). */
  metrics?: Record<string, unknown>;
  /** Free text for people. */
  description?: string;
}

/** How {@link readPipeline} rebuilds the steps. */
export interface ReadPipelineOptions {
  /** Where step types are looked up (default: {@link defaultStepRegistry}). */
  registry?: StepRegistry;
  /** Check the files' sha256 against the manifest (default true). */
  verify?: boolean;
}

/** A fitted estimator that knows its kind and can be written as JSON. */
export type SavableStep = Estimator & { readonly kind: string };

/**
 * Writes a fitted pipeline, column transformer or other step to the artifact folder `dir`
 * (atomically, replacing an earlier artifact there). The manifest's params record the root kind
 * and the step tree by name, so `manifest.json` alone tells what is inside.
 * @throws NotFittedError when a step is not fitted.
 */
export async function writePipeline(
  dir: string,
  estimator: SavableStep,
  options: WritePipelineOptions = {},
): Promise<Manifest> {
  if (typeof estimator?.toJSON !== 'function') {
    throw new InvalidArgumentError(
      'writePipeline: pass a fitted Pipeline, ColumnTransformer or step.',
    );
  }
  const json = estimator.toJSON();
  return writeArtifact(dir, {
    kind: PIPELINE_ARTIFACT_KIND,
    formatVersion: PIPELINE_FORMAT_VERSION,
    params: { root: json.kind, steps: describeSteps(json) },
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    ...(options.description === undefined ? {} : { description: options.description }),
    files: { [PIPELINE_FILE]: `${JSON.stringify(json)}\n` },
  });
}

/**
 * Reads an artifact written by {@link writePipeline} and rebuilds its root step (and, through
 * the registry, every nested step).
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

/** A readable outline of the step tree for the manifest: `{ name: kind | outline }`. */
function describeSteps(json: { kind: string; state: unknown }): unknown {
  const state = json.state as {
    steps?: { name: string; step: { kind: string; state: unknown } }[];
    transformers?: { name: string; step: { kind: string; state: unknown } | string }[];
  };
  const children = state?.steps ?? state?.transformers;
  if (!Array.isArray(children)) return json.kind;
  const outline: Record<string, unknown> = {};
  for (const child of children) {
    outline[child.name] = typeof child.step === 'string' ? child.step : describeSteps(child.step);
  }
  return { [json.kind]: outline };
}
