/**
 * The layout of a saved pipeline (or column transformer, or any registered step), owned here
 * and shared by `write-pipeline.ts` and `read-pipeline.ts`: one artifact folder, `manifest.json`
 * (kind `'pipeline'`) beside `pipeline.json`, the nested JSON of every step.
 */

/** Artifact kind of saved pipelines. */
export const PIPELINE_ARTIFACT_KIND = 'pipeline';
/** Layout version of the pipeline artifact. */
export const PIPELINE_FORMAT_VERSION = 1;
/** File in the artifact holding the steps' JSON. */
export const PIPELINE_FILE = 'pipeline.json';
