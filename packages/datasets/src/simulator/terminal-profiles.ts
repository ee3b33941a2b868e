import type { Rng } from '@mlsd/core';
import { MAP_SIZE } from './customer-profiles.js';

/** The simulated terminals (merchants), one entry per terminal id 0 … count − 1. */
export interface TerminalProfiles {
  /** Number of terminals. */
  count: number;
  /** Location on the 100 × 100 map. */
  x: Float64Array;
  y: Float64Array;
}

/** Draws `count` terminal locations x, y ~ U(0, 100) (Le Borgne et al. 2022, §3.2.2). */
export function generateTerminalProfiles(rng: Rng, count: number): TerminalProfiles {
  const x = new Float64Array(count);
  const y = new Float64Array(count);
  for (let t = 0; t < count; t++) {
    x[t] = rng.uniform(0, MAP_SIZE);
    y[t] = rng.uniform(0, MAP_SIZE);
  }
  return { count, x, y };
}
