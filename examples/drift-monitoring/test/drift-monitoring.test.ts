import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDriftMonitoring } from '../src/drift-monitoring.js';

describe('drift-monitoring example', () => {
  it('detects the new fraud pattern, retrains, promotes a better challenger and recovers quality', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'mlsd-drift-example-'));
    const summary = await runDriftMonitoring({
      outDir,
      customers: 1_200,
      terminals: 2_400,
      log: () => {},
    });
    const { weeks } = summary;
    expect(weeks.map((w) => w.day)).toEqual([136, 143, 150, 157, 164, 171]);
    // Before the pattern starts (day 143), nothing fires and no challenger is trained.
    expect(weeks.slice(0, 2).every((w) => !w.datasetDrift && w.action === 'none')).toBe(true);
    // After it, the features drift and the delayed labels show the champion degraded.
    const firstAlarm = weeks.findIndex((w) => w.datasetDrift && w.degraded);
    expect(firstAlarm).toBeGreaterThanOrEqual(2);
    expect(summary.promotions).toBeGreaterThanOrEqual(1);
    // A promoted challenger beat the champion on the same held-out week.
    for (const w of weeks.filter((w) => w.action === 'challenger promoted')) {
      expect(w.challengerAp!).toBeGreaterThan(w.ap);
    }
    // Quality recovers after a promotion: the last week beats the first degraded one.
    expect(weeks.at(-1)!.ap).toBeGreaterThan(weeks[firstAlarm]!.ap);
    expect(await readFile(summary.reportPath, 'utf8')).toContain('ECDFs');
  });
});
