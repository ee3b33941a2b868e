import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFraudDetection } from '../src/fraud-detection.js';

describe('fraud-detection example', () => {
  it('runs simulate → CSV → schema-checked ingest → point-in-time features on a small world', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'mlsd-fraud-'));
    const lines: string[] = [];
    const summary = await runFraudDetection({
      outDir,
      customers: 300,
      terminals: 600,
      days: 40,
      seed: 7,
      log: (line) => lines.push(line),
    });
    const { simulation, ingest, features } = summary;
    expect(simulation.transactions).toBeGreaterThan(10_000);
    expect(simulation.frauds).toBeGreaterThan(0);
    // Every simulated row survives the round trip through the CSV and the schema.
    expect(ingest).toMatchObject({
      read: simulation.transactions,
      accepted: simulation.transactions,
      quarantined: 0,
    });
    expect(features.rows).toBe(simulation.transactions);
    expect(features.names).toHaveLength(15);
    // Frauds of scenario 1 are amounts above 220, so frauds must average larger amounts.
    const amount = features.contrast.find((row) => row.feature === 'TX_AMOUNT')!;
    expect(amount.fraudMean).toBeGreaterThan(amount.genuineMean);
    // Terminal risk features separate the classes (scenario 2: compromised terminals).
    const risk = features.contrast.find((row) => row.feature === 'TERMINAL_ID_RISK_7DAY_WINDOW')!;
    expect(risk.fraudMean).toBeGreaterThan(5 * risk.genuineMean);
    expect(lines.join('\n')).toContain(
      `${simulation.transactions} read = ${simulation.transactions} accepted + 0 quarantined`,
    );
  });
});
