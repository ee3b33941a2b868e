import { BackendUnavailableError, InvalidArgumentError } from '@mlsd/core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { initBackend, resetBackendForTests } from '../src/backend.js';
import { getTf } from '../src/tfjs.js';

const quiet = true;
const fail = (message: string) => async () => {
  throw new Error(message);
};
/** Stands in for tfjs-node: registers a backend named 'tensorflow' (really the cpu one). */
const fakeNode = async () => {
  if (tf.findBackendFactory('tensorflow') == null) {
    tf.registerBackend('tensorflow', () => new MathBackendCPU());
  }
};

beforeEach(() => {
  resetBackendForTests();
});

afterEach(() => {
  vi.restoreAllMocks();
  if (tf.findBackendFactory('tensorflow') != null) tf.removeBackend('tensorflow');
});

describe('MLSD_BACKEND and prefer', () => {
  it('MLSD_BACKEND=cpu gives cpu without the tfjs "Hi, looks like..." greeting', async () => {
    const warnings: string[] = [];
    vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
      warnings.push(args.join(' '));
    });
    const info = await initBackend({ env: { MLSD_BACKEND: 'cpu' }, quiet });
    expect(info).toEqual({ name: 'cpu', tfBackend: 'cpu', reason: 'forced by MLSD_BACKEND=cpu' });
    const t = getTf();
    const sum = t.add(t.tensor1d([1, 2]), t.tensor1d([3, 4]));
    expect([...(await sum.data())]).toEqual([4, 6]);
    expect(warnings.join('\n')).not.toMatch(/looks like you are running TensorFlow\.js/);
  });

  it('accepts MLSD_BACKEND in any case and with spaces; an empty value means unset', async () => {
    expect((await initBackend({ env: { MLSD_BACKEND: ' CPU ' }, quiet })).name).toBe('cpu');
    resetBackendForTests();
    const info = await initBackend({
      env: { MLSD_BACKEND: '' },
      quiet,
      loaders: { node: fail('no native') },
    });
    expect(info.name).toBe('wasm');
  });

  it('MLSD_BACKEND=node throws BackendUnavailableError saying why and what to do', async () => {
    const attempt = initBackend({ env: { MLSD_BACKEND: 'node' }, quiet });
    await expect(attempt).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(attempt).rejects.toThrow(
      /^MLSD_BACKEND=node but @tensorflow\/tfjs-node could not be loaded: .+\. Install it \(npm i @tensorflow\/tfjs-node@4\.22\.0: .*downloads libtensorflow.*\) or unset MLSD_BACKEND/,
    );
    // A failed attempt is not memoised: fixing the setting and retrying works.
    expect((await initBackend({ env: { MLSD_BACKEND: 'cpu' }, quiet })).name).toBe('cpu');
  });

  it('prefer forces a backend and fails like MLSD_BACKEND', async () => {
    const attempt = initBackend({
      env: {},
      prefer: 'wasm',
      quiet,
      loaders: { wasm: fail('boom') },
    });
    await expect(attempt).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(attempt).rejects.toThrow(
      /^prefer: 'wasm' but @tensorflow\/tfjs-backend-wasm could not be loaded: boom\./,
    );
    expect((await initBackend({ env: {}, prefer: 'cpu', quiet })).reason).toBe(
      "forced by prefer: 'cpu'",
    );
  });

  it('MLSD_BACKEND takes precedence over prefer', async () => {
    const info = await initBackend({ env: { MLSD_BACKEND: 'cpu' }, prefer: 'wasm', quiet });
    expect(info.name).toBe('cpu');
  });

  it('rejects an unknown MLSD_BACKEND or prefer with InvalidArgumentError', async () => {
    const attempt = initBackend({ env: { MLSD_BACKEND: 'bogus' }, quiet });
    await expect(attempt).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(attempt).rejects.toThrow(
      /MLSD_BACKEND=bogus is not a backend: use one of node, wasm, cpu/,
    );
    await expect(initBackend({ env: { MLSD_BACKEND: 'wsam' }, quiet })).rejects.toThrow(
      /did you mean "wasm"/,
    );
    await expect(
      initBackend({ env: {}, prefer: 'gpu' as unknown as 'cpu', quiet }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('fallback order node -> wasm -> cpu', () => {
  it('uses node when it loads', async () => {
    const info = await initBackend({ env: {}, quiet, loaders: { node: fakeNode } });
    expect(info.name).toBe('node');
    expect(info.tfBackend).toBe('tensorflow');
    expect(info.reason).toMatch(/first in the default order node -> wasm -> cpu/);
  });

  it('falls back to wasm when node fails', async () => {
    const info = await initBackend({ env: {}, quiet, loaders: { node: fail('no binding') } });
    expect(info.name).toBe('wasm');
    expect(info.reason).toContain('@tensorflow/tfjs-node could not be loaded (no binding)');
  });

  it('falls back to cpu when node and wasm fail, listing both', async () => {
    const info = await initBackend({
      env: {},
      quiet,
      loaders: { node: fail('no binding'), wasm: fail('no WebAssembly') },
    });
    expect(info).toMatchObject({ name: 'cpu', tfBackend: 'cpu' });
    expect(info.reason).toContain(
      'skipped: @tensorflow/tfjs-node could not be loaded (no binding); ' +
        '@tensorflow/tfjs-backend-wasm could not be loaded (no WebAssembly)',
    );
  });

  it('treats a loader that registers nothing as a failure', async () => {
    const info = await initBackend({ env: {}, quiet, loaders: { node: async () => {} } });
    expect(info.name).toBe('wasm');
    expect(info.reason).toMatch(/tfjs-node could not be loaded \(.*tensorflow.*\)/);
  });

  it('throws BackendUnavailableError when nothing loads', async () => {
    const attempt = initBackend({
      env: {},
      quiet,
      loaders: { node: fail('a'), wasm: fail('b'), cpu: fail('c') },
    });
    await expect(attempt).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(attempt).rejects.toThrow(/No TensorFlow\.js backend could be loaded/);
  });
});
