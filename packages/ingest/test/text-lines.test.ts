import { describe, expect, it } from 'vitest';
import { readTextLines } from '../src/text-source.js';

async function lines(chunks: string[]): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readTextLines(chunks, 'test')) out.push(line);
  return out;
}

describe('readTextLines', () => {
  it('splits lines across chunks, drops CR and a BOM, keeps empty lines inside', async () => {
    expect(await lines(['\ufeffa,b\r\nc', 'd\n\ne\r', '\nf'])).toEqual(['a,b', 'cd', '', 'e', 'f']);
    expect(await lines(['x\n'])).toEqual(['x']);
    expect(await lines([])).toEqual([]);
  });
});
