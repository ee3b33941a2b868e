import { expect } from 'vitest';
import { runCli } from './run-cli.js';

/**
 * `mlsd fraud simulate` of the small world the fraud command tests share (300 customers, 600
 * terminals, 140 days, seed 5) into `out` (.csv or .jsonl); fails the test when the command does.
 */
export async function simulateSmallFraudLog(out: string): Promise<void> {
  const simulated = await runCli([
    'fraud',
    'simulate',
    '--customers',
    '300',
    '--terminals',
    '600',
    '--days',
    '140',
    '--seed',
    '5',
    '--out',
    out,
    '--json',
  ]);
  expect(simulated.code, simulated.stderr).toBe(0);
}
