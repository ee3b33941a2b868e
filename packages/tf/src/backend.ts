/**
 * Chooses the TensorFlow.js backend once per process: native `@tensorflow/tfjs-node` when the
 * user has installed it, else WebAssembly, else plain JavaScript (`cpu`). `MLSD_BACKEND` (or the
 * `prefer` option) forces one. Code that runs models gets the tfjs namespace through `getTf`
 * (`@mlsd/tf/tfjs`) after {@link initBackend}.
 *
 * This module's declarations name no tfjs type, so `@mlsd/tf`'s main entry compiles without the
 * DOM lib; tfjs-core's own declarations need it, and only `@mlsd/tf/tfjs` refers to them.
 */
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import {
  BackendUnavailableError,
  describeWithNearest,
  InvalidArgumentError,
  logInfo,
  logWarn,
} from '@mlsd/core';
import type * as TfCore from '@tensorflow/tfjs-core';
import { withoutNewProcessHandlers } from './process-handlers.js';

/** mlsd's names for the TensorFlow.js backends, fastest first. */
export type BackendName = 'node' | 'wasm' | 'cpu';

/** The backend in use and why. */
export interface BackendInfo {
  /** mlsd's name of the backend. */
  name: BackendName;
  /** tfjs's own name of it, as `tf.getBackend()` reports (`'tensorflow'`, `'wasm'`, `'cpu'`). */
  tfBackend: string;
  /** Why this one: what forced it, or which faster ones were skipped and why. */
  reason: string;
}

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /** Use exactly this backend (fail if it cannot load). `MLSD_BACKEND` takes precedence. */
  prefer?: BackendName;
  /** Environment to read `MLSD_BACKEND` from; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Do not log the choice to stderr. */
  quiet?: boolean;
  /**
   * Replaces how a backend's package is loaded and registered with tfjs (for tests). After a
   * loader resolves, `initBackend` activates the backend with `tf.setBackend`.
   */
  loaders?: Partial<Record<BackendName, () => Promise<void>>>;
}

type Tf = typeof TfCore;

const BACKEND_NAMES: readonly BackendName[] = ['node', 'wasm', 'cpu'];

/** tfjs's registry names of our backends. */
const TF_BACKEND_NAMES: Readonly<Record<BackendName, string>> = {
  node: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

/** The npm package of each backend, for messages. */
const PACKAGES: Readonly<Record<BackendName, string>> = {
  node: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/**
 * Typed `string`, not a literal, so TypeScript does not look for the optional package's types
 * and bundlers do not try to follow it.
 */
const TFJS_NODE_SPECIFIER: string = PACKAGES.node;

/** The tfjs-node release that matches our @tensorflow/tfjs-core (they must be the same). */
const TFJS_NODE_VERSION = '4.22.0';

const DEFAULT_LOADERS: Readonly<Record<BackendName, () => Promise<void>>> = {
  async node() {
    // libtensorflow prints INFO lines (CPU feature notes) to stderr when it loads; keep warnings.
    process.env.TF_CPP_MIN_LOG_LEVEL ??= '1';
    // tfjs-node registers backend 'tensorflow' on the shared @tensorflow/tfjs-core instance.
    try {
      await import(TFJS_NODE_SPECIFIER);
    } catch (error) {
      // Absent is the normal case: it is an optional peer that only users who ask get.
      if ((error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND') {
        throw new Error(
          `not installed (opt in with npm i ${TFJS_NODE_SPECIFIER}@${TFJS_NODE_VERSION})`,
        );
      }
      throw error;
    }
  },
  async wasm() {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // Under plain Node the Emscripten glue finds the .wasm files next to itself (__dirname), so
    // this is not strictly needed; pointing it at the installed package's dist folder keeps it
    // working when the glue is inlined by a bundler or test runner.
    wasm.setWasmPaths(wasmDistFolder());
  },
  async cpu() {
    await import('@tensorflow/tfjs-backend-cpu');
  },
};

let tfNamespace: Tf | undefined;
let pending: Promise<BackendInfo> | undefined;
let current: BackendInfo | undefined;

/**
 * Picks and activates a TensorFlow.js backend: `@tensorflow/tfjs-node` (native), else
 * `@tensorflow/tfjs-backend-wasm`, else `@tensorflow/tfjs-backend-cpu`. `MLSD_BACKEND`
 * (`node` | `wasm` | `cpu`) or `options.prefer` forces one. Memoised: later and concurrent calls
 * resolve to the same {@link BackendInfo}; the choice is logged once to stderr unless `quiet`.
 * @throws InvalidArgumentError when `MLSD_BACKEND` or `prefer` is not a backend name.
 * @throws BackendUnavailableError when the forced backend (or every backend) fails to load.
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const forced = forcedBackend(options);
  pending ??= chooseBackend(forced, options).then(
    (info) => {
      current = info;
      if (options.quiet !== true) {
        logInfo('tfjs backend selected', {
          backend: info.name,
          tfBackend: info.tfBackend,
          reason: info.reason,
        });
      }
      return info;
    },
    (error: unknown) => {
      // Let a later call (e.g. after the user fixes MLSD_BACKEND) try again.
      pending = undefined;
      throw error;
    },
  );
  const info = await pending;
  if (forced !== undefined && forced.name !== info.name) {
    logWarn(`tfjs backend is already '${info.name}'; ignoring ${forced.source}`, {
      backend: info.name,
    });
  }
  return info;
}

/**
 * The `@tensorflow/tfjs-core` namespace once {@link initBackend} has completed, else undefined.
 * Typed `object` so this module's declarations stay free of tfjs types; `getTf` in `tfjs.ts`
 * gives it its type.
 * @internal
 */
export function initialisedTfjs(): object | undefined {
  return current === undefined ? undefined : tfNamespace;
}

/** The backend chosen by {@link initBackend}, or undefined before it has completed. */
export function currentBackend(): BackendInfo | undefined {
  return current;
}

/**
 * Forgets the memoised choice so the next {@link initBackend} chooses (and logs) again. For
 * tests; registered tfjs backends stay registered.
 */
export function resetBackendForTests(): void {
  pending = undefined;
  current = undefined;
}

/** A backend forced by the environment or the caller, with where it came from. */
interface ForcedBackend {
  name: BackendName;
  /** `MLSD_BACKEND=wasm` or `prefer: 'wasm'`, for messages. */
  source: string;
}

function forcedBackend(options: InitBackendOptions): ForcedBackend | undefined {
  const env = options.env ?? process.env;
  const raw = env.MLSD_BACKEND?.trim();
  if (raw !== undefined && raw !== '') {
    const name = raw.toLowerCase();
    if (!isBackendName(name)) {
      throw new InvalidArgumentError(
        `MLSD_BACKEND=${raw} is not a backend: use one of ${BACKEND_NAMES.join(', ')} ` +
          `(${describeWithNearest(raw, BACKEND_NAMES)} is unknown), or unset it to pick the ` +
          'fastest available one.',
        { variable: 'MLSD_BACKEND', value: raw },
      );
    }
    return { name, source: `MLSD_BACKEND=${raw}` };
  }
  if (options.prefer !== undefined) {
    if (!isBackendName(options.prefer)) {
      throw new InvalidArgumentError(
        `initBackend: prefer must be one of ${BACKEND_NAMES.join(', ')}, got ` +
          `${describeWithNearest(String(options.prefer), BACKEND_NAMES)}.`,
        { option: 'prefer', value: options.prefer },
      );
    }
    return { name: options.prefer, source: `prefer: '${options.prefer}'` };
  }
  return undefined;
}

function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}

async function chooseBackend(
  forced: ForcedBackend | undefined,
  options: InitBackendOptions,
): Promise<BackendInfo> {
  const tf = await loadTfCore();
  if (forced !== undefined) {
    try {
      await activate(tf, forced.name, options);
    } catch (cause) {
      throw new BackendUnavailableError(
        unavailableMessage(forced, cause),
        {
          backend: forced.name,
          cause: firstLine(cause),
        },
        { cause },
      );
    }
    return { name: forced.name, tfBackend: tf.getBackend(), reason: `forced by ${forced.source}` };
  }

  const skipped: string[] = [];
  for (const name of BACKEND_NAMES) {
    try {
      await activate(tf, name, options);
    } catch (cause) {
      skipped.push(`${PACKAGES[name]} could not be loaded (${firstLine(cause)})`);
      continue;
    }
    const order = `default order ${BACKEND_NAMES.join(' -> ')}`;
    const reason =
      skipped.length === 0 ? `first in the ${order}` : `${order}; skipped: ${skipped.join('; ')}`;
    return { name, tfBackend: tf.getBackend(), reason };
  }
  throw new BackendUnavailableError(
    `No TensorFlow.js backend could be loaded: ${skipped.join('; ')}. Reinstall @mlsd/tf ` +
      'so its @tensorflow/* dependencies are complete.',
    { skipped },
  );
}

async function loadTfCore(): Promise<Tf> {
  if (tfNamespace === undefined) {
    const tf = await import('@tensorflow/tfjs-core');
    // The Node build of tfjs-core registers no gradients (tf.grad fails for sum, matMul, ...);
    // tfjs-layers registers them all on the shared registry as it loads. We need layers anyway
    // to build networks and to load users' layers models.
    await import('@tensorflow/tfjs-layers');
    tfNamespace = tf;
  }
  return tfNamespace;
}

/** Loads a backend's package, makes it tfjs's active backend and waits until it is ready. */
async function activate(tf: Tf, name: BackendName, options: InitBackendOptions): Promise<void> {
  const load = options.loaders?.[name] ?? DEFAULT_LOADERS[name];
  const tfName = TF_BACKEND_NAMES[name];
  // The wasm backend's Emscripten glue registers process-wide uncaughtException and
  // unhandledRejection listeners that rethrow, so any later error of the user's exits with code
  // 7 after a dump of minified tfjs source. They serve only Emscripten's own exit(), which tfjs
  // never calls, so they are removed as soon as the module is up.
  await withoutNewProcessHandlers(async () => {
    await load();
    // setBackend throws for an unregistered name and resolves false when initialisation fails.
    if (!(await tf.setBackend(tfName))) {
      throw new Error(`tf.setBackend('${tfName}') failed to initialise it`);
    }
    await tf.ready();
  });
  if (name === 'cpu') silenceCpuGreeting(tf);
}

/**
 * The cpu backend prints "Hi, looks like you are running TensorFlow.js in Node.js. To speed
 * things up dramatically, install our node backend…" on its first tensor (MathBackendCPU.write,
 * gated by its `firstUse` field and the PROD/IS_TEST flags). We already log which backend was
 * chosen and why, and PROD would also hide tfjs' useful warnings, so only the greeting's
 * one-shot field is cleared.
 */
function silenceCpuGreeting(tf: Tf): void {
  const backend = tf.backend() as unknown as { firstUse?: unknown };
  if (typeof backend.firstUse === 'boolean') backend.firstUse = false;
}

function unavailableMessage(forced: ForcedBackend, cause: unknown): string {
  const pkg = PACKAGES[forced.name];
  const undo = forced.source.startsWith('MLSD_BACKEND')
    ? 'unset MLSD_BACKEND'
    : `drop prefer: '${forced.name}'`;
  const install =
    forced.name === 'node'
      ? `Install it (npm i ${pkg}@${TFJS_NODE_VERSION}: its install script downloads ` +
        `libtensorflow; with pnpm also allow its build) or ${undo} to fall back to WebAssembly.`
      : `Reinstall @mlsd/tf so ${pkg} is complete, or ${undo} to use another backend.`;
  return `${forced.source} but ${pkg} could not be loaded: ${firstLine(cause)}. ${install}`;
}

/** First line of an error message (tfjs-node's load errors run to several lines). */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n', 1)[0]!.trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** Absolute path of the installed wasm backend's dist folder, with a trailing separator. */
function wasmDistFolder(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve(PACKAGES.wasm)) + sep;
}
