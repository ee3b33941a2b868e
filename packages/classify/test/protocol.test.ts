import { InvalidArgumentError, InvalidDataError } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import {
  prequentialSplits,
  timeSplit,
  validationTrainStartDay,
} from '../src/protocol/time-split.js';

// One transaction per card per day for 40 days; card 1 is defrauded on day 3 (training),
// card 2 on day 9 (delay period), card 3 on day 16 (test period).
function makeData() {
  const day: number[] = [];
  const card: number[] = [];
  const label: number[] = [];
  for (let d = 0; d < 40; d++) {
    for (const c of [1, 2, 3, 4]) {
      day.push(d);
      card.push(c);
      label.push((c === 1 && d === 3) || (c === 2 && d === 9) || (c === 3 && d === 16) ? 1 : 0);
    }
  }
  return { day, card, label };
}

describe('timeSplit', () => {
  const data = makeData();
  const split = timeSplit(data, { trainStartDay: 0 });

  it('trains on 7 days, skips the 7-day delay, tests on the next 7', () => {
    const trainDays = new Set([...split.train].map((i) => data.day[i]));
    expect([...trainDays]).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const testDays = new Set([...split.test].map((i) => data.day[i]));
    expect([...testDays]).toEqual([14, 15, 16, 17, 18, 19, 20]);
    expect(split.testStartDay).toBe(14);
  });

  it('drops cards known compromised by delay + 1 days before each test day', () => {
    const testRows = [...split.test].map((i) => [data.day[i], data.card[i]]);
    // card 1 (fraud on day 3) is known from the first test day on: never in the test set
    expect(testRows.filter(([, c]) => c === 1)).toHaveLength(0);
    // card 2 (fraud on day 9) is known on test days >= 9 + 8 = 17, present on 14..16
    expect(testRows.filter(([, c]) => c === 2).map(([d]) => d)).toEqual([14, 15, 16]);
    // card 3 (fraud on day 16, inside the test) is never known during the test week
    expect(testRows.filter(([, c]) => c === 3)).toHaveLength(7);
    expect(split.droppedKnownCompromised).toBe(7 + 4);
  });

  it('keeps every test row with dropKnownCompromised: false', () => {
    const all = timeSplit(data, { trainStartDay: 0, dropKnownCompromised: false });
    expect(all.test).toHaveLength(7 * 4);
    expect(all.droppedKnownCompromised).toBe(0);
  });

  it('shifts prequential folds back a week each and keeps validation before the test', () => {
    const folds = prequentialSplits(data, { trainStartDay: 14, folds: 3 });
    expect(folds.map((f) => f.trainStartDay)).toEqual([14, 7, 0]);
    expect(validationTrainStartDay({ trainStartDay: 14 })).toBe(0);
  });

  it('rejects bad options and empty periods', () => {
    expect(() => timeSplit(data, { trainStartDay: 0, trainDays: 0 })).toThrow(InvalidArgumentError);
    expect(() => timeSplit(data, { trainStartDay: 35 })).toThrow(InvalidDataError);
    expect(() => timeSplit({ ...data, day: [0.5] }, { trainStartDay: 0 })).toThrow(
      /differ in length/,
    );
  });
});
