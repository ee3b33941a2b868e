import { BackendUnavailableError } from '@mlsd/core';

/** The part of an onnxruntime tensor mlsd reads. */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}

/** The metadata onnxruntime gives of a model input or output. */
export interface OrtValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  readonly shape?: readonly (number | string)[];
}

/** The part of an onnxruntime `InferenceSession` mlsd uses. */
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly OrtValueMetadata[];
  run(
    feeds: Record<string, OrtTensor>,
    fetches?: readonly string[],
  ): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/** The part of the `onnxruntime-node` module mlsd uses (typed here: it is an optional peer). */
export interface OrtModule {
  InferenceSession: {
    create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession>;
  };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

/** The optional package that runs ONNX models. */
export const ONNX_RUNTIME_PACKAGE = 'onnxruntime-node';

/**
 * Typed `string`, not a literal, so TypeScript does not look for the optional package's types
 * and bundlers do not try to follow it.
 */
const SPECIFIER: string = ONNX_RUNTIME_PACKAGE;

let loaded: Promise<OrtModule> | undefined;

/**
 * Imports `onnxruntime-node` on first use (memoised). It is an optional peer dependency: most
 * users of mlsd never run an ONNX model and should not install its 113 MB of native runtimes.
 * @throws BackendUnavailableError saying how to install it when it is absent.
 */
export function loadOnnxRuntime(): Promise<OrtModule> {
  loaded ??= importOnnxRuntime((specifier) => import(specifier)).catch((error: unknown) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}

/**
 * {@link loadOnnxRuntime} through a given importer, not memoised (tests pass one that fails).
 * @throws BackendUnavailableError saying how to install the package when the import fails.
 */
export async function importOnnxRuntime(
  importer: (specifier: string) => Promise<unknown>,
): Promise<OrtModule> {
  let module: { default?: OrtModule } & Partial<OrtModule>;
  try {
    module = (await importer(SPECIFIER)) as typeof module;
  } catch (error) {
    throw new BackendUnavailableError(
      `ONNX models run on the optional package ${ONNX_RUNTIME_PACKAGE}, which is not installed here (${(error as Error).message.split('\n')[0]}). Install it beside mlsd: \`npm install ${ONNX_RUNTIME_PACKAGE}\` (about 113 MB; its CPU runtime for Linux, macOS and Windows is inside the npm package — set ONNXRUNTIME_NODE_INSTALL=skip to skip its postinstall, which on linux/x64 downloads CUDA libraries from NuGet). TensorFlow.js models need nothing extra.`,
      { package: ONNX_RUNTIME_PACKAGE },
      { cause: error },
    );
  }
  return (module.InferenceSession === undefined ? module.default : module) as OrtModule;
}
