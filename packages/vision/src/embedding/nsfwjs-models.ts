import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import { CorruptFileError, NotFoundError, writeFileAtomic } from '@mlsd/core';
import { MODEL_JSON } from './model-folder-io.js';

/**
 * The pretrained models the nsfwjs npm package (MIT) bundles, in TensorFlow.js format:
 * `mobilenet_v2` (Keras layers model, 224 × 224, inputs in [0, 1]; its pooled features are layer
 * `average_pooling2d_1`, 1,280 values), `mobilenet_v2_mid` (graph model, MobileNetV2 × 1.4, 224 × 224;
 * its 1,792 features are node `.../feature_vector/SpatialSqueeze`) and `inception_v3` (layers, 299 × 299). They were
 * fine-tuned to classify images into 5 classes; their features still describe general content.
 */
export type NsfwjsModel = 'mobilenet_v2' | 'mobilenet_v2_mid' | 'inception_v3';

/**
 * Writes one of nsfwjs's bundled models as a standard TensorFlow.js model folder (model.json
 * plus `.bin` weight shards) at `outDir`, for `loadImageEmbedder`. nsfwjs ships each file as a
 * JavaScript module (a UMD wrapper around the JSON or the base64 weights): they are evaluated
 * in an empty `vm` context (no `require`, no globals of ours) and unwrapped. nsfwjs must be
 * installed where `from` resolves packages (it is a development dependency of mlsd's tests,
 * example and benchmarks, never a runtime one). Nothing is downloaded. Returns `outDir`;
 * a folder already extracted is reused.
 * @throws NotFoundError when nsfwjs is not installed; CorruptFileError for unexpected content.
 */
export async function extractNsfwjsModel(
  model: NsfwjsModel,
  outDir: string,
  options: { from?: string | URL } = {},
): Promise<string> {
  if (existsSync(join(outDir, MODEL_JSON))) return outDir;
  const packageDir = nsfwjsPackageDir(options.from ?? import.meta.url);
  const folder = join(packageDir, 'dist', 'models', model);
  const json = (await runModule(join(folder, 'model.min.js'))) as {
    modelTopology?: unknown;
    format?: string;
    weightsManifest?: { paths: string[]; weights: unknown[] }[];
  };
  if (typeof json !== 'object' || json === null || json.weightsManifest === undefined) {
    throw new CorruptFileError(`${folder}/model.min.js does not hold a TensorFlow.js model.`);
  }
  const manifest = [];
  for (const group of json.weightsManifest) {
    const paths: string[] = [];
    for (const path of group.paths) {
      const base64 = await runModule(join(folder, `${path}.min.js`));
      if (typeof base64 !== 'string') {
        throw new CorruptFileError(`${folder}/${path}.min.js does not hold base64 weights.`);
      }
      await writeFileAtomic(join(outDir, `${path}.bin`), Buffer.from(base64, 'base64'));
      paths.push(`${path}.bin`);
    }
    manifest.push({ ...group, paths });
  }
  await writeFileAtomic(
    join(outDir, MODEL_JSON),
    `${JSON.stringify({ ...json, weightsManifest: manifest })}\n`,
  );
  return outDir;
}

function nsfwjsPackageDir(from: string | URL): string {
  let entry: string;
  try {
    entry = createRequire(from).resolve('nsfwjs');
  } catch (error) {
    throw new NotFoundError(
      'The nsfwjs package is not installed; `npm install --save-dev nsfwjs` (MIT) to use its pretrained MobileNetV2 and InceptionV3.',
      { package: 'nsfwjs' },
      { cause: error },
    );
  }
  let dir = dirname(entry);
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'dist', 'models'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new NotFoundError(`No nsfwjs package folder above ${entry}.`);
    dir = parent;
  }
  return dir;
}

/** Evaluates a UMD module file in an empty context and returns what it exports. */
async function runModule(path: string): Promise<unknown> {
  const code = await readFile(path, 'utf8');
  const module = { exports: {} as unknown };
  vm.runInNewContext(code, { module, exports: module.exports }, { filename: path });
  return module.exports;
}
