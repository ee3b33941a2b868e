import { type Estimator, InvalidArgumentError, type Manifest, writeArtifact } from '@mlsd/core';
import {
  PIPELINE_ARTIFACT_KIND,
  PIPELINE_FILE,
  PIPELINE_FORMAT_VERSION,
} from './pipeline-artifact.js';

/** Extra manifest content for {@link writePipeline}. */
export interface WritePipelineOptions {
  /** Figures measured when it was built (validation AUC, …). */
  metrics?: Record<string, unknown>;
  /** Free text for people. */
  description?: string;
}

/** A fitted estimator that knows its kind and can be written as JSON. */
export type SavableStep = Estimator & { readonly kind: string };

/**
 * Writes a fitted pipeline, column transformer or other step to the artifact folder `dir`
 * (atomically, replacing an earlier artifact there). The manifest's params record the root kind
 * and the step tree by name, so `manifest.json` alone tells what is inside. Read it back with
 * `readPipeline`, `loadPipeline` or `loadColumnTransformer`.
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
