import { BackendUnavailableError } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import { ReplicaPool } from '../src/embedding/replica-pool.js';
import { parseImageSpec } from '../src/image-spec.js';

describe('ReplicaPool', () => {
  it('needs two workers or more', async () => {
    const spec = parseImageSpec({ width: 4, height: 4, channels: 1 });
    const config = {
      spec,
      architecture: { filters: [2, 2] as [number, number], hidden: 4, dim: 2 },
      classes: 2,
      learningRate: 0.01,
      scale: 16,
      dropout: 0,
      seed: 0,
    };
    await expect(ReplicaPool.start(config, 1)).rejects.toThrow(/at least 2 workers/);
  });

  it('reports a replica that cannot be built in a worker as a typed error and stops', async () => {
    // A hidden layer of 0 units: tfjs-layers refuses it inside the worker.
    const spec = parseImageSpec({ width: 4, height: 4, channels: 1 });
    const config = {
      spec,
      architecture: { filters: [2, 2] as [number, number], hidden: 0, dim: 2 },
      classes: 2,
      learningRate: 0.01,
      scale: 16,
      dropout: 0,
      seed: 0,
    };
    const error = await ReplicaPool.start(config, 2).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(
      /Training worker \d failed: .*units.*; train with workers: 1/,
    );
  }, 60_000);
});
