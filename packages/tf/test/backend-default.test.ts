// The default choice on this machine: @tensorflow/tfjs-node is not installed (it is an optional
// peer that installs only on request), so importing it throws and initBackend falls back to wasm.

import { BackendUnavailableError } from '@mlsd/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { currentBackend, initBackend, resetBackendForTests } from '../src/backend.js';
import { getTf } from '../src/tfjs.js';

let stderr: string[];

beforeEach(() => {
  vi.stubEnv('MLSD_LOG_LEVEL', 'info');
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('initBackend default order', () => {
  it('is not initialised before initBackend', () => {
    resetBackendForTests();
    expect(currentBackend()).toBeUndefined();
    expect(() => getTf()).toThrow(BackendUnavailableError);
    expect(() => getTf()).toThrow(/await initBackend\(\)/);
  });

  it('falls back to wasm, says why, memoises and logs once', async () => {
    resetBackendForTests();
    const env = {};
    const [first, second] = await Promise.all([initBackend({ env }), initBackend({ env })]);
    const third = await initBackend({ env });
    expect(first.name).toBe('wasm');
    expect(first.tfBackend).toBe('wasm');
    expect(first.reason).toMatch(/@tensorflow\/tfjs-node could not be loaded \(.+\)/);
    expect(first.reason).toMatch(/node -> wasm -> cpu/);
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(currentBackend()).toBe(first);
    expect(getTf().getBackend()).toBe('wasm');

    const logged = stderr
      .join('')
      .split('\n')
      .filter((line) => line.includes('tfjs backend'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(
      /^\[mlsd\] tfjs backend selected backend=wasm tfBackend=wasm reason=".*tfjs-node/,
    );
  });

  it('does not log when quiet', async () => {
    resetBackendForTests();
    await initBackend({ env: {}, quiet: true });
    expect(stderr.join('')).not.toMatch(/tfjs backend/);
  });

  it('warns when a later call asks for a different backend than the one in use', async () => {
    resetBackendForTests();
    await initBackend({ env: {}, quiet: true });
    const info = await initBackend({ env: {}, prefer: 'cpu' });
    expect(info.name).toBe('wasm');
    expect(stderr.join('')).toMatch(/already 'wasm'; ignoring prefer: 'cpu'/);
  });
});
