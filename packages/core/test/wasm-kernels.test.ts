import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedModule, generatedPath, watSources } from '../scripts/wat-modules.js';
import { fallbackCounts } from '../src/index.js';
import {
  compileWasm,
  createWasmMemory,
  decodeWasm,
  encodeWasmModule,
  FunctionBuilder,
  instantiateWasm,
  noteFallback,
  wasmOp as op,
} from '../src/internal.js';
import { signedLeb, unsignedLeb } from '../src/wasm-assembler.js';

describe('WebAssembly text kernels', () => {
  it('are compiled into the checked-in modules (run `pnpm --filter @mlsd/core build:wasm` after a change)', async () => {
    const sources = watSources();
    expect(sources.map((path) => path.replace(/.*packages\//, ''))).toEqual(
      expect.arrayContaining([
        'ann/src/kernels/distances.wat',
        'classify/src/models/gbdt/kernels/gbdt.wat',
      ]),
    );
    for (const source of sources) {
      expect(readFileSync(generatedPath(source), 'utf8')).toBe(await generatedModule(source));
    }
  });
});

describe('wasm assembler', () => {
  it('encodes LEB128 integers as the WebAssembly spec examples', () => {
    expect(unsignedLeb(0)).toEqual([0]);
    expect(unsignedLeb(127)).toEqual([0x7f]);
    expect(unsignedLeb(128)).toEqual([0x80, 0x01]);
    expect(unsignedLeb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(unsignedLeb(2 ** 32 - 1)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(signedLeb(0)).toEqual([0]);
    expect(signedLeb(-1)).toEqual([0x7f]);
    expect(signedLeb(63)).toEqual([0x3f]);
    expect(signedLeb(64)).toEqual([0xc0, 0x00]);
    expect(signedLeb(-64)).toEqual([0x40]);
    expect(signedLeb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });

  it('builds a function with named, typed locals that runs', () => {
    // sum(at, end): f64 sum of the f64s in [at, end).
    const fn = new FunctionBuilder('sum', { at: 'i32', end: 'i32' }, ['f64']);
    const { at, end } = fn.params;
    const total = fn.local('total', 'f64');
    expect(() => fn.local('total', 'i32')).toThrow(/declared twice/);
    fn.emit(
      op.block(
        op.localGet(at),
        op.localGet(end),
        op.i32GeU,
        op.brIf(0),
        op.loop(
          op.localGet(total),
          op.localGet(at),
          op.f64Load(0),
          op.f64Add,
          op.localSet(total),
          op.localGet(at),
          op.i32Const(8),
          op.i32Add,
          op.localTee(at),
          op.localGet(end),
          op.i32LtU,
          op.brIf(0),
        ),
      ),
      op.localGet(total),
    );
    const memory = createWasmMemory(65_536);
    new Float64Array(memory.buffer, 0, 4).set([1.5, 2, 3, 0.25]);
    const { sum } = instantiateWasm<{ sum: (at: number, end: number) => number }>(
      compileWasm(encodeWasmModule([fn])),
      memory,
    );
    expect(sum(0, 32)).toBe(6.75);
    expect(sum(8, 16)).toBe(2);
    expect(sum(16, 16)).toBe(0);
  });

  it('decodes base64 module bytes', () => {
    expect(Array.from(decodeWasm('AGFzbQEAAAA='))).toEqual([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  });
});

describe('noteFallback', () => {
  it('counts every fallback and logs the first of each component', () => {
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      noteFallback('test component', 'the fast path is off; the slow one runs', { n: 1 });
      noteFallback('test component', 'the fast path is off; the slow one runs', { n: 2 });
    } finally {
      process.stderr.write = write;
    }
    expect(fallbackCounts()['test component']).toBe(2);
    expect(written).toEqual([
      '[mlsd] warning: test component: the fast path is off; the slow one runs n=1\n',
    ]);
  });
});
