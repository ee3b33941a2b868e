import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError } from '../src/errors.js';
import { createProgress } from '../src/progress.js';

/** A stream that records every write; `isTTY` and `columns` as a terminal would set them. */
function fakeStream(options: { isTTY?: boolean; columns?: number } = {}) {
  const writes: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, callback) {
        writes.push(String(chunk));
        callback();
      },
    }),
    options,
  );
  return { stream, writes };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubEnv('CI', '');
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe('createProgress', () => {
  it('draws a bar with label, percentage, count, rate and ETA on a terminal', () => {
    const { stream, writes } = fakeStream({ isTTY: true, columns: 200 });
    const progress = createProgress({ label: 'scoring', total: 1000, unit: 'rows', stream });
    vi.advanceTimersByTime(1000);
    progress.tick(250);
    expect(writes).toHaveLength(1);
    const frame = writes[0]!;
    expect(frame.startsWith('\r')).toBe(true);
    expect(frame).toContain('scoring');
    expect(frame).toContain('█████░░░░░░░░░░░░░░░'); // 25% of 20 cells
    expect(frame).toContain(' 25%');
    expect(frame).toContain('250/1,000 rows');
    expect(frame).toContain('250 rows/s');
    expect(frame).toContain('ETA 3.0s');
    expect(progress.done).toBe(250);
  });

  it('holds back rate and ETA for the first 200 ms, and shortens large counts', () => {
    const { stream, writes } = fakeStream({ isTTY: true, columns: 200 });
    const progress = createProgress({ label: 'early', total: 300_000_000, stream });
    progress.tick(1_500_000);
    expect(writes[0]).toContain('1.5M/300M items · – items/s · ETA ?');
  });

  it('shows count, rate and elapsed time without a total', () => {
    const { stream, writes } = fakeStream({ isTTY: true, columns: 200 });
    const progress = createProgress({ label: 'reading', stream });
    vi.advanceTimersByTime(2000);
    progress.update(5000);
    expect(writes[0]).toContain('reading 5,000 items · 2,500 items/s · 2.0s');
    expect(writes[0]).not.toContain('%');
  });

  it('writes a summary line on finish, once', () => {
    const { stream, writes } = fakeStream({ isTTY: true });
    const progress = createProgress({ label: 'embedding', total: 10, unit: 'images', stream });
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(500);
      progress.tick();
    }
    progress.finish('done well');
    progress.finish('again');
    progress.tick();
    const last = writes.at(-1)!;
    expect(last).toBe('\r\x1b[Kembedding: 10/10 images in 5.0s (2 images/s) — done well\n');
    expect(writes.filter((write) => write.includes('embedding:'))).toHaveLength(1);
    expect(writes.at(-1)).toBe(last);
  });

  it('redraws at most every 100 ms however often it ticks', () => {
    const { stream, writes } = fakeStream({ isTTY: true });
    const progress = createProgress({ label: 'hot loop', total: 1_000_000, stream });
    // 1000 ms of ticks, 1000 ticks per millisecond.
    for (let ms = 0; ms < 1000; ms++) {
      for (let i = 0; i < 1000; i++) progress.tick();
      vi.advanceTimersByTime(1);
    }
    expect(progress.done).toBe(1_000_000);
    expect(writes.length).toBeGreaterThanOrEqual(5);
    expect(writes.length).toBeLessThanOrEqual(11);
    progress.finish();
    expect(writes.at(-1)!.startsWith('\r\x1b[Khot loop: 1,000,000/1,000,000 items in 1.0s')).toBe(
      true,
    );
  });

  it('reads the clock rarely in a fast loop', () => {
    const { stream } = fakeStream({ isTTY: true });
    const progress = createProgress({ label: 'x', stream });
    const clock = vi.spyOn(performance, 'now');
    for (let i = 0; i < 100_000; i++) progress.tick();
    // Time does not move here, so the stride keeps doubling: about log2(100000) reads.
    expect(clock.mock.calls.length).toBeLessThan(40);
    clock.mockRestore();
  });

  it('still redraws when each tick is slow', () => {
    const { stream, writes } = fakeStream({ isTTY: true });
    const progress = createProgress({ label: 'slow', stream });
    for (let i = 0; i < 5000; i++) progress.tick(); // fast start grows the stride
    const before = writes.length;
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(1000);
      progress.tick();
    }
    // The redraw timer forces a clock read on the next tick, and the stride shrinks back.
    expect(writes.length - before).toBe(20);
  });

  it('stops its redraw timer on finish', () => {
    const { stream } = fakeStream({ isTTY: true });
    const timers = vi.getTimerCount();
    const progress = createProgress({ label: 'x', stream });
    expect(vi.getTimerCount()).toBe(timers + 1);
    progress.finish();
    expect(vi.getTimerCount()).toBe(timers);
  });

  it('cuts lines to the terminal width', () => {
    const { stream, writes } = fakeStream({ isTTY: true, columns: 30 });
    const progress = createProgress({ label: 'a very long label indeed', total: 100, stream });
    progress.tick();
    const visible = writes[0]!.replace('\r', '').replace('\x1b[K', '');
    expect(visible).toHaveLength(29);
  });

  it('writes nothing when the stream is not a terminal', () => {
    const { stream, writes } = fakeStream({ isTTY: false });
    const progress = createProgress({ label: 'quiet', total: 10, stream });
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(200);
      progress.tick();
    }
    progress.update(7);
    progress.finish('bye');
    expect(progress.done).toBe(7);
    expect(writes).toEqual([]);
  });

  it('writes nothing in CI or when disabled, even on a terminal', () => {
    const { stream, writes } = fakeStream({ isTTY: true });
    vi.stubEnv('CI', 'true');
    const inCi = createProgress({ label: 'ci', stream });
    inCi.tick();
    inCi.finish();
    vi.stubEnv('CI', '');
    const disabled = createProgress({ label: 'off', stream, enabled: false });
    disabled.tick();
    disabled.finish();
    expect(writes).toEqual([]);
  });

  it('draws anywhere when enabled is true', () => {
    const { stream, writes } = fakeStream();
    vi.stubEnv('CI', '1');
    const progress = createProgress({ label: 'forced', stream, enabled: true });
    progress.tick();
    progress.finish();
    expect(writes).toHaveLength(2);
  });

  it('does not read the clock per tick when quiet', () => {
    const { stream } = fakeStream();
    const clock = vi.spyOn(performance, 'now');
    const dateClock = vi.spyOn(Date, 'now');
    const progress = createProgress({ label: 'quiet', stream });
    for (let i = 0; i < 10_000; i++) progress.tick();
    expect(clock).not.toHaveBeenCalled();
    expect(dateClock).not.toHaveBeenCalled();
    expect(progress.done).toBe(10_000);
  });

  it('rejects a bad total', () => {
    expect(() => createProgress({ label: 'x', total: -1 })).toThrow(InvalidArgumentError);
    expect(() => createProgress({ label: 'x', total: Number.NaN })).toThrow(/total must be/);
  });
});
