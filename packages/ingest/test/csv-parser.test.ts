import { describe, expect, it } from 'vitest';
import { CsvParser } from '../src/csv-parser.js';

interface Parsed {
  fields: string[];
  line: number;
  problem: string | undefined;
  raw: string;
}

function parse(chunks: readonly string[]): { records: Parsed[]; blankLines: number } {
  const records: Parsed[] = [];
  const parser = new CsvParser((fields, line, problem, raw) => {
    records.push({ fields, line, problem, raw: raw() });
    return undefined;
  });
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return { records, blankLines: parser.blankLines };
}

describe('CsvParser (RFC 4180)', () => {
  it('reads quoted fields, "" escapes, embedded delimiters and line breaks', () => {
    const { records } = parse(['a,"b,c","say ""hi""","two\nlines",\n1,2,3,4,5\n']);
    expect(records.map((r) => r.fields)).toEqual([
      ['a', 'b,c', 'say "hi"', 'two\nlines', ''],
      ['1', '2', '3', '4', '5'],
    ]);
    expect(records.map((r) => r.line)).toEqual([1, 3]);
    expect(records.every((r) => r.problem === undefined)).toBe(true);
  });

  it('handles CRLF, a BOM, no final newline, empty fields and blank lines', () => {
    const { records, blankLines } = parse(['\uFEFFx,y\r\n\r\n,\r\n"q",2']);
    expect(records.map((r) => r.fields)).toEqual([
      ['x', 'y'],
      ['', ''],
      ['q', '2'],
    ]);
    expect(records.map((r) => r.line)).toEqual([1, 3, 4]);
    expect(blankLines).toBe(1);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const text =
      '\uFEFFid,name,note\r\n1,"Ann ""A"" Smith","line1\r\nline2"\r\n2,Bé,"x,y"\n3,,""\r\n4,"é€😀",end';
    const whole = parse([text]);
    expect(whole.records).toHaveLength(5);
    for (let cut = 1; cut < text.length; cut++) {
      expect(parse([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    }
    for (let size = 1; size <= 4; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      expect(parse(chunks)).toEqual(whole);
    }
  });

  it('delivers malformed records with the problem and keeps going', () => {
    const { records } = parse(['a,b\n1,x"y\n2,"z"w\n3,ok\n4,"never closed\n5,5\n']);
    expect(records.map((r) => [r.line, r.problem])).toEqual([
      [1, undefined],
      [2, 'unexpected quote inside unquoted field 2'],
      [3, 'unexpected text after a closing quote in field 2'],
      [4, undefined],
      [
        5,
        'unterminated quoted field (a quote opened and never closed); only this line was set aside, reading resumed at the next line',
      ],
      [6, undefined],
    ]);
    expect(records[2]!.raw).toBe('2,"z"w');
    expect(records[4]!.raw).toBe('4,"never closed');
  });
});
