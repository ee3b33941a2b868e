import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logInfo, logWarn } from '../src/log.js';

let lines: string[];

beforeEach(() => {
  lines = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  vi.stubEnv('MLSD_LOG_LEVEL', undefined);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('logInfo / logWarn', () => {
  it('write one line to stderr with fields as key=value', () => {
    logInfo('tfjs backend selected', { name: 'wasm', threads: 2, simd: true, skipped: undefined });
    logWarn('row rejected', { file: 'data/my file.csv', line: 12, reason: 'bad "amount"' });
    expect(lines).toEqual([
      '[mlsd] tfjs backend selected name=wasm threads=2 simd=true\n',
      '[mlsd] warning: row rejected file="data/my file.csv" line=12 reason="bad \\"amount\\""\n',
    ]);
  });

  it('prints objects, errors, null and circular values without throwing', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    logInfo('values', {
      list: [1, 2],
      error: new Error('disk full'),
      nothing: null,
      circular,
      path: '/tmp/a.json',
    });
    expect(lines).toEqual([
      '[mlsd] values list=[1,2] error="disk full" nothing=null circular="[object Object]" path=/tmp/a.json\n',
    ]);
  });

  it('writes a bare message without fields', () => {
    logInfo('hello');
    expect(lines).toEqual(['[mlsd] hello\n']);
  });

  it('MLSD_LOG_LEVEL=warn keeps warnings only', () => {
    vi.stubEnv('MLSD_LOG_LEVEL', 'warn');
    logInfo('info line');
    logWarn('warn line');
    expect(lines).toEqual(['[mlsd] warning: warn line\n']);
  });

  it('MLSD_LOG_LEVEL=silent writes nothing', () => {
    vi.stubEnv('MLSD_LOG_LEVEL', 'SILENT');
    logInfo('info line');
    logWarn('warn line');
    expect(lines).toEqual([]);
  });
});
