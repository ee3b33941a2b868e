import { describe, expect, it } from 'vitest';
import { formatTable } from '../src/output.js';

describe('formatTable', () => {
  it('aligns text left and numbers right, with thousands separators', () => {
    expect(
      formatTable([
        ['name', 'rows'],
        ['a', 1234],
        ['bbb', 5],
      ]),
    ).toEqual(['name   rows', 'a     1,234', 'bbb       5']);
  });
});
