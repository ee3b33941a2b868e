import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFraudDetection } from '../src/fraud-detection.js';

describe('fraud-detection example', () => {
  it('runs simulate → ingest → features → train → evaluate → save → online scoring on a small world', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'mlsd-fraud-'));
    const lines: string[] = [];
    const summary = await runFraudDetection({
      outDir,
      customers: 300,
      terminals: 600,
      days: 150,
      seed: 7,
      log: (line) => lines.push(line),
    });
    const { simulation, ingest, features, model, evaluation, serving } = summary;
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
    // Model: threshold chosen on validation; the test week is scored far better than chance.
    expect(model.kind).toBe('logreg');
    expect(model.threshold).toBeGreaterThan(0);
    expect(evaluation.auc).toBeGreaterThan(0.7);
    expect(evaluation.truePositives + evaluation.falseNegatives).toBe(evaluation.frauds);
    expect(await readFile(evaluation.reportPath, 'utf8')).toContain('<svg');
    // Serving: every streamed transaction scored; alerts catch frauds.
    expect(serving.transactions).toBeGreaterThan(1000);
    expect(serving.fraudsCaught).toBeGreaterThan(0);
    expect(serving.fraudsCaught).toBeLessThanOrEqual(Math.min(serving.alerts, serving.frauds));
    expect(lines.join('\n')).toContain(
      `${simulation.transactions} read = ${simulation.transactions} accepted + 0 quarantined`,
    );
  });
});
