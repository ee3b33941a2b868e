import { InvalidArgumentError, Rng } from '@mlsd/core';
import { describe, expect, it } from 'vitest';
import {
  CURSOR_COUNT,
  CURSOR_FRAUDS,
  CURSOR_HI,
  CURSOR_LO,
  CURSOR_STRIDE,
  EventBuffer,
  groupByEntity,
  IdIndex,
  SlidingWindow,
  WindowAggregate,
} from '../src/index.js';

describe('EventBuffer', () => {
  it('keeps events in order across growth and wrap-around', () => {
    const buffer = new EventBuffer();
    expect(buffer.capacity).toBe(8);
    for (let i = 0; i < 6; i++) buffer.push(i, i * 10, i % 2, 100 + i);
    buffer.evictBefore(4);
    for (let i = 6; i < 20; i++) buffer.push(i, i * 10, i % 2, 100 + i);
    expect(buffer.head).toBe(4);
    expect(buffer.tail).toBe(20);
    expect(buffer.length).toBe(16);
    expect(buffer.capacity).toBe(16);
    for (let p = buffer.head; p < buffer.tail; p++) {
      expect(buffer.times[p & buffer.mask]).toBe(p);
      expect(buffer.amounts[p & buffer.mask]).toBe(p * 10);
      expect(buffer.ids[p & buffer.mask]).toBe(100 + p);
    }
  });

  it('shrinks after a burst and reports evicted ids', () => {
    const buffer = new EventBuffer();
    for (let i = 0; i < 100; i++) buffer.push(i, 1, 0, i);
    expect(buffer.capacity).toBe(128);
    const evicted: number[] = [];
    buffer.evictBefore(98, (id) => evicted.push(id));
    expect(evicted).toHaveLength(98);
    expect(evicted[97]).toBe(97);
    expect(buffer.capacity).toBeLessThanOrEqual(64);
    expect([buffer.times[98 & buffer.mask], buffer.times[99 & buffer.mask]]).toEqual([98, 99]);
  });

  it('gives read-only views over whole columns', () => {
    const view = EventBuffer.view(new Float64Array(3), new Float64Array(3), new Uint8Array(3));
    expect(view.length).toBe(3);
    expect(() => view.push(1, 1, 0, 1)).toThrow(InvalidArgumentError);
  });
});

describe('SlidingWindow', () => {
  it('holds events in (t − delay − length, t − delay] and restarts from zero when emptied', () => {
    const times = Float64Array.from([0, 10, 20, 30]);
    const amounts = Float64Array.from([1, 2, 4, 8]);
    const labels = Uint8Array.from([1, 0, 1, 1]);
    const events = EventBuffer.view(times, amounts, labels);
    const window = new SlidingWindow(15, 5);
    const cursor = new Float64Array(CURSOR_STRIDE);
    SlidingWindow.reset(cursor, 0, 0);
    const sum = new WindowAggregate('s', 'e', window, 'sum-amount');
    const risk = new WindowAggregate('r', 'e', window, 'fraud-share');

    window.slide(cursor, 0, events, 3, 20); // window (0, 15]: the event at 10
    expect([cursor[CURSOR_LO], cursor[CURSOR_HI], cursor[CURSOR_COUNT]]).toEqual([1, 2, 1]);
    expect(sum.read(cursor, 0)).toBe(2);
    expect(risk.read(cursor, 0)).toBe(0);

    window.slide(cursor, 0, events, 4, 30); // (10, 25]: the event at 20
    expect(sum.read(cursor, 0)).toBe(4);
    expect(cursor[CURSOR_FRAUDS]).toBe(1);

    window.slide(cursor, 0, events, 4, 100); // (80, 95]: nothing
    expect(cursor[CURSOR_COUNT]).toBe(0);
    expect(sum.read(cursor, 0)).toBe(0);
    expect(risk.read(cursor, 0)).toBe(0);
    expect(cursor[CURSOR_LO]).toBe(4);
  });

  it('relabels only events inside the window', () => {
    const cursor = Float64Array.from([2, 5, 3, 0, 0, 1]);
    SlidingWindow.relabel(cursor, 0, 1, 1); // before the window
    SlidingWindow.relabel(cursor, 0, 5, 1); // not yet inside
    expect(cursor[CURSOR_FRAUDS]).toBe(1);
    SlidingWindow.relabel(cursor, 0, 4, 1);
    expect(cursor[CURSOR_FRAUDS]).toBe(2);
  });

  it('refuses empty windows and negative delays', () => {
    expect(() => new SlidingWindow(0)).toThrow(InvalidArgumentError);
    expect(() => new SlidingWindow(10, -1)).toThrow(InvalidArgumentError);
    expect(() => new SlidingWindow(Number.NaN)).toThrow(InvalidArgumentError);
  });
});

describe('groupByEntity', () => {
  it('groups rows by id, stably', () => {
    const { order, starts } = groupByEntity(Int32Array.from([3, 1, 3, 0, 1, 3]));
    expect([...order]).toEqual([3, 1, 4, 0, 2, 5]);
    expect([...starts]).toEqual([0, 1, 3, 6]);
  });

  it('renumbers large sparse ids instead of allocating a counter per id', () => {
    const ids = Float64Array.from([9e15, 5, 9e15, 123456789012]);
    const { order, starts } = groupByEntity(ids);
    expect([...order]).toEqual([0, 2, 1, 3]);
    expect([...starts]).toEqual([0, 2, 3, 4]);
  });

  it('handles an empty column', () => {
    const { order, starts } = groupByEntity(new Int32Array(0));
    expect(order.length).toBe(0);
    expect([...starts]).toEqual([0]);
  });
});

describe('IdIndex', () => {
  it('behaves like a Map under a long random mix of sets and deletes', () => {
    const index = new IdIndex();
    const reference = new Map<number, number>();
    const rng = new Rng('id-index');
    for (let step = 0; step < 60_000; step++) {
      // Few distinct keys (many collisions and probe runs) plus some huge ids.
      const key = rng.next() < 0.9 ? rng.integer(0, 3000) : rng.integer(0, 2 ** 53 - 1);
      if (rng.next() < 0.55) {
        const value = rng.integer(0, 2 ** 40);
        index.set(key, value);
        reference.set(key, value);
      } else {
        expect(index.delete(key)).toBe(reference.delete(key));
      }
      if (step % 5000 === 0 || step === 59_999) {
        expect(index.size).toBe(reference.size);
        for (const [k, v] of reference) expect(index.get(k)).toBe(v);
        let visited = 0;
        index.forEach((k, v) => {
          expect(reference.get(k)).toBe(v);
          visited++;
        });
        expect(visited).toBe(reference.size);
      }
    }
    expect(index.get(-5)).toBe(-1);
    expect(index.has(2 ** 53 + 2)).toBe(false);
  });

  it('grows and shrinks with its contents', () => {
    const index = new IdIndex();
    for (let k = 0; k < 10_000; k++) index.set(k * 7919, k);
    for (let k = 0; k < 9_990; k++) expect(index.delete(k * 7919)).toBe(true);
    expect(index.size).toBe(10);
    for (let k = 9_990; k < 10_000; k++) expect(index.get(k * 7919)).toBe(k);
  });
});
