import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChecksumMismatchError,
  decodeTypedArray,
  encodeTypedArray,
  InvalidArgumentError,
  ManifestInvalidError,
} from '@mlsd/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  defineFraudFeatures,
  FEATURE_STATE_FILE,
  OnlineFeatureState,
  readFeatureState,
  writeFeatureState,
} from '../src/index.js';
import { simulateTransactions, transactionAt } from './helpers/simulate.js';

const table = simulateTransactions({ seed: 13, days: 60, customers: 25, terminals: 30 });
const half = Math.floor(table.length / 2);

function replayFirstHalf(state = new OnlineFeatureState()): OnlineFeatureState {
  for (let i = 0; i < half; i++) state.update(transactionAt(table, i));
  return state;
}

function continueReplay(state: OnlineFeatureState): number[] {
  const values: number[] = [];
  for (let i = half; i < table.length; i++) values.push(...state.update(transactionAt(table, i)));
  return values;
}

const folders: string[] = [];
afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

describe('snapshot and restore', () => {
  it('round-trips through JSON text and continues with identical values', () => {
    const original = replayFirstHalf();
    const text = JSON.stringify(original);
    const restored = OnlineFeatureState.fromJSON(JSON.parse(text));
    expect(JSON.stringify(restored)).toBe(text);
    expect(restored.clock).toBe(original.clock);
    expect(restored.stats()).toEqual(original.stats());
    expect(continueReplay(restored)).toEqual(continueReplay(original));
  });

  it('keeps the feature spec and options', () => {
    const features = defineFraudFeatures({ windowsDays: [2, 5], delayDays: 3 });
    const state = new OnlineFeatureState(features, { sweepEveryDays: 0.5 });
    state.update(transactionAt(table, 0));
    const restored = OnlineFeatureState.fromJSON(state.toJSON());
    expect(restored.names).toEqual(features.names);
    expect(restored.toJSON().options).toEqual({ sweepEveryDays: 0.5 });
    // A fresh state snapshots too.
    expect(OnlineFeatureState.fromJSON(new OnlineFeatureState().toJSON()).clock).toBeUndefined();
  });

  it('saves to and loads from an artifact folder', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mlsd-features-'));
    folders.push(folder);
    const dir = join(folder, 'state');
    const original = replayFirstHalf();
    const manifest = await writeFeatureState(dir, original, { metrics: { replayed: half } });
    expect(manifest.kind).toBe('feature-state');
    expect(manifest.files.map((file) => file.path)).toEqual([FEATURE_STATE_FILE]);
    expect(manifest.metrics).toMatchObject({ replayed: half, entities: original.stats().entities });
    const loaded = await readFeatureState(dir);
    expect(continueReplay(loaded)).toEqual(continueReplay(original));

    // A modified state file is caught by the manifest's checksum.
    const file = join(dir, FEATURE_STATE_FILE);
    await writeFile(file, (await readFile(file, 'utf8')).replace('"clock":', '"clock": '));
    await expect(readFeatureState(dir)).rejects.toThrow(ChecksumMismatchError);
    await expect(readFeatureState(folder)).rejects.toThrow();
  });

  it('refuses blobs that are not snapshots or do not fit together', () => {
    const good = replayFirstHalf().toJSON();
    const corrupt = (edit: (blob: ReturnType<typeof structuredClone<typeof good>>) => void) => {
      const blob = structuredClone(good);
      edit(blob);
      return () => OnlineFeatureState.fromJSON(blob);
    };
    expect(() => OnlineFeatureState.fromJSON(null)).toThrow(InvalidArgumentError);
    expect(() => OnlineFeatureState.fromJSON({ kind: 'StandardScaler' })).toThrow(
      InvalidArgumentError,
    );
    expect(corrupt((blob) => Object.assign(blob, { version: 2 }))).toThrow(InvalidArgumentError);
    expect(corrupt((blob) => blob.stores.reverse())).toThrow(/entity columns/);
    expect(
      corrupt((blob) => Object.assign(blob.stores[0]!, { counts: blob.stores[0]!.ids })),
    ).toThrow(/must be a Int32Array/);
    expect(
      corrupt((blob) => Object.assign(blob.stores[1]!, { times: blob.stores[0]!.times })),
    ).toThrow(/inconsistent/);
    expect(
      corrupt((blob) =>
        Object.assign(blob.stores[0]!, { cursors: { dtype: 'float64', data: '@@@@' } }),
      ),
    ).toThrow(/base64/);
    expect(corrupt((blob) => Object.assign(blob.spec, { origin: 'yesterday' }))).toThrow(
      /YYYY-MM-DD/,
    );
    // A window position beyond the entity's events.
    const state = new OnlineFeatureState();
    state.update(transactionAt(table, 0));
    const blob = state.toJSON();
    const cursors = decodeTypedArray(blob.stores[0]!.cursors);
    cursors[1] = 5;
    blob.stores[0]!.cursors = encodeTypedArray(cursors);
    expect(() => OnlineFeatureState.fromJSON(blob)).toThrow(/window positions/);
  });

  it('refuses a manifest of another kind', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mlsd-features-'));
    folders.push(folder);
    const { writeArtifact } = await import('@mlsd/core');
    await writeArtifact(join(folder, 'model'), { kind: 'fraud-model', formatVersion: 1 });
    await expect(readFeatureState(join(folder, 'model'))).rejects.toThrow(ManifestInvalidError);
  });
});
