/**
 * How fast is our two-sample KS test next to scipy.stats.ks_2samp, and does it agree?
 *
 * Same arrays, same run: each case's samples (Gaussian, the second shifted so the p-value is
 * neither 0 nor 1) are written as raw float64 to a temp folder and timed in scipy via
 * /usr/bin/python3 (benchmarks/drift/ks_2samp_peer.py), and in-process with `ksTwoSample`
 * (validation, copy, Float64Array sort, merge pass, p-value). Cases: 10³–10⁶ per side with
 * method 'asymp' (1,000,000 vs 1,000,000 is the headline; with a 0.01σ shift the p-value
 * needs the exact Smirnov sum at the effective size 500,000), and 'exact' at 10,000 vs 10,000
 * (reflection series) and 10,000 vs 9,999 (the O(n·m) lattice recursion).
 *
 * Run: node --import tsx --conditions=@mlsd/source benchmarks/drift/ks.bench.ts
 * Writes benchmarks/results/drift.json; prints a table on stdout, progress on stderr.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Rng } from '@mlsd/core';
import { type KsAlternative, type KsMethod, ksTwoSample } from '@mlsd/drift';
import { describeMachine } from '../machine.js';

const PYTHON = '/usr/bin/python3';
const here = fileURLToPath(new URL('.', import.meta.url));

interface BenchCase {
  name: string;
  n1: number;
  n2: number;
  /** Shift of sample 2, in standard deviations. */
  shift: number;
  method: KsMethod;
  alternative: KsAlternative;
  repeats: number;
}

const CASES: BenchCase[] = [
  {
    name: '1e3 vs 1e3 asymp',
    n1: 1e3,
    n2: 1e3,
    shift: 0.1,
    method: 'asymp',
    alternative: 'two-sided',
    repeats: 9,
  },
  {
    name: '1e4 vs 1e4 asymp',
    n1: 1e4,
    n2: 1e4,
    shift: 0.03,
    method: 'asymp',
    alternative: 'two-sided',
    repeats: 7,
  },
  {
    name: '1e5 vs 1e5 asymp',
    n1: 1e5,
    n2: 1e5,
    shift: 0.01,
    method: 'asymp',
    alternative: 'two-sided',
    repeats: 5,
  },
  {
    name: '1e6 vs 1e6 asymp',
    n1: 1e6,
    n2: 1e6,
    shift: 0.003,
    method: 'asymp',
    alternative: 'two-sided',
    repeats: 5,
  },
  {
    // Drift clearly present: p ~ 1e-11 comes from the exact Smirnov sum at n_eff = 500,000.
    name: '1e6 vs 1e6 asymp, shift 0.01σ',
    n1: 1e6,
    n2: 1e6,
    shift: 0.01,
    method: 'asymp',
    alternative: 'two-sided',
    repeats: 3,
  },
  {
    name: '1e6 vs 1e6 asymp greater',
    n1: 1e6,
    n2: 1e6,
    shift: -0.003,
    method: 'asymp',
    alternative: 'greater',
    repeats: 3,
  },
  {
    name: '1e4 vs 1e4 exact',
    n1: 1e4,
    n2: 1e4,
    shift: 0.03,
    method: 'exact',
    alternative: 'two-sided',
    repeats: 7,
  },
  {
    name: '1e4 vs 9999 exact',
    n1: 1e4,
    n2: 9999,
    shift: 0.03,
    method: 'exact',
    alternative: 'two-sided',
    repeats: 5,
  },
  {
    name: '1e4 vs 9999 exact, D ≈ 0.4',
    n1: 1e4,
    n2: 9999,
    shift: 1,
    method: 'exact',
    alternative: 'two-sided',
    repeats: 3,
  },
];

function log(message: string): void {
  process.stderr.write(`[drift] ${message}\n`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const work = mkdtempSync(join(tmpdir(), 'mlsd-ks-bench-'));
try {
  const rng = new Rng(2024);
  const samples = CASES.map((c, k) => {
    const a = rng.fillNormal(new Float64Array(c.n1));
    const b = rng.fillNormal(new Float64Array(c.n2), c.shift);
    const pathA = join(work, `a${k}.f64`);
    const pathB = join(work, `b${k}.f64`);
    // Float64Array bytes are little-endian on every platform Node runs on here (x64, arm64).
    writeFileSync(pathA, new Uint8Array(a.buffer));
    writeFileSync(pathB, new Uint8Array(b.buffer));
    return { a, b, pathA, pathB };
  });

  log('scipy peer...');
  const casesPath = join(work, 'cases.json');
  writeFileSync(
    casesPath,
    JSON.stringify(
      CASES.map((c, k) => ({
        a: samples[k]!.pathA,
        b: samples[k]!.pathB,
        alternative: c.alternative,
        method: c.method,
        repeats: c.repeats,
      })),
    ),
  );
  const peerRun = spawnSync(PYTHON, [join(here, 'ks_2samp_peer.py'), casesPath], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (peerRun.status !== 0) throw new Error(`scipy peer failed: ${peerRun.stderr}`);
  const peer = JSON.parse(peerRun.stdout) as {
    scipy: string;
    numpy: string;
    cases: { seconds: number; runs: number[]; statistic: number; pvalue: number }[];
  };

  const results = CASES.map((c, k) => {
    const { a, b } = samples[k]!;
    log(`ours: ${c.name}`);
    const options = { alternative: c.alternative, method: c.method };
    ksTwoSample(a, b, options); // warm-up (JIT)
    const runs: number[] = [];
    let result = ksTwoSample(a, b, options);
    for (let r = 0; r < c.repeats; r++) {
      const start = performance.now();
      result = ksTwoSample(a, b, options);
      runs.push((performance.now() - start) / 1000);
    }
    const scipy = peer.cases[k]!;
    const seconds = median(runs);
    return {
      case: c.name,
      n1: c.n1,
      n2: c.n2,
      alternative: c.alternative,
      method: c.method,
      oursSeconds: seconds,
      oursRuns: runs,
      scipySeconds: scipy.seconds,
      scipyRuns: scipy.runs,
      speedup: scipy.seconds / seconds,
      statistic: result.statistic,
      pvalue: result.pvalue,
      methodUsed: result.method,
      statisticIdentical: result.statistic === scipy.statistic,
      pvalueAbsDifference: Math.abs(result.pvalue - scipy.pvalue),
    };
  });

  const report = {
    benchmark: 'drift',
    question:
      'Two-sample Kolmogorov–Smirnov: wall time of ksTwoSample vs scipy.stats.ks_2samp on the same arrays in the same run, and agreement of statistic and p-value.',
    machine: describeMachine(),
    peer: { python: PYTHON, scipy: peer.scipy, numpy: peer.numpy },
    created: new Date().toISOString(),
    data: 'Gaussian samples from @mlsd/core Rng(2024); sample 2 shifted by `shift` standard deviations',
    timing:
      'median wall seconds of `repeats` calls after one warm-up; ours includes input validation, copy and sort, as scipy does',
    cases: results,
  };
  const resultsDir = join(here, '..', 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'drift.json'), `${JSON.stringify(report, null, 2)}\n`);

  const rows = [
    ['case', 'ours s', 'scipy s', 'speedup', 'D identical', '|Δp|'],
    ...results.map((r) => [
      r.case,
      r.oursSeconds.toFixed(4),
      r.scipySeconds.toFixed(4),
      `${r.speedup.toFixed(1)}×`,
      String(r.statisticIdentical),
      r.pvalueAbsDifference.toExponential(1),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) {
    process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}\n`);
  }
  log('wrote benchmarks/results/drift.json');
} finally {
  rmSync(work, { recursive: true, force: true });
}
