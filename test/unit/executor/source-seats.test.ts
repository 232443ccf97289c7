import { describe, expect, it } from 'vitest';
import { SourceSeats, type LanePending } from '../../../src/executor/source-seats.js';

const seatedOf = (seats: SourceSeats, to: string, sources: readonly string[]): string[] => sources.filter((s) => seats.has(s, to));

/** Run a target's lanes as the gentle pace does: each seated source gives one slot per step. */
function drain(pending: Record<string, number>, minLead: number): { steps: number; finishedAt: Record<string, number> } {
  const seats = new SourceSeats(2, minLead);
  const left = { ...pending };
  const finishedAt: Record<string, number> = {};
  let steps = 0;
  while (Object.values(left).some((n) => n > 0)) {
    seats.update(Object.entries(left).map(([from, n]): LanePending => ({ from, to: 't', pending: n })));
    steps++;
    for (const from of Object.keys(left)) {
      if (!seats.has(from, 't')) continue;
      left[from]!--;
      if (left[from] === 0) finishedAt[from] = steps;
    }
  }
  return { steps, finishedAt };
}

describe('SourceSeats', () => {
  it('seats the sources with the most to give, at most `seats` per target', () => {
    const seats = new SourceSeats(2, 10);
    seats.update([
      { from: 'a', to: 't', pending: 5 },
      { from: 'b', to: 't', pending: 9 },
      { from: 'c', to: 't', pending: 7 },
      { from: 'a', to: 'u', pending: 1 },
    ]);
    expect(seatedOf(seats, 't', ['a', 'b', 'c'])).toEqual(['b', 'c']);
    expect(seats.has('a', 'u')).toBe(true);
    expect(seats.has('b', 'u')).toBe(false);
  });

  it('swaps a seat once a waiting source has twice as many left (and the least lead), and frees the seat of a source with nothing left', () => {
    const seats = new SourceSeats(2, 10);
    const update = (a: number, b: number, c: number): void =>
      seats.update([
        { from: 'a', to: 't', pending: a },
        { from: 'b', to: 't', pending: b },
        { from: 'c', to: 't', pending: c },
      ]);
    update(100, 100, 100);
    expect(seatedOf(seats, 't', ['a', 'b', 'c'])).toEqual(['a', 'b']);
    update(50, 52, 100); // c has twice as many as a: not more
    expect(seatedOf(seats, 't', ['a', 'b', 'c'])).toEqual(['a', 'b']);
    update(49, 52, 100); // more than twice: c takes the seat of the one with least left
    expect(seatedOf(seats, 't', ['a', 'b', 'c'])).toEqual(['b', 'c']);
    update(49, 5, 30); // a has 44 more than b: past the least lead (10), twice b's 5
    expect(seatedOf(seats, 't', ['a', 'b', 'c'])).toEqual(['a', 'c']);
    update(9, 0, 0);
    expect(seatedOf(seats, 't', ['a', 'b', 'c'])).toEqual(['a']);
  });

  it('makes all of a target\'s sources finish together, where keeping the first two seated left the third alone', () => {
    const balanced = drain({ a: 300, b: 300, c: 300 }, 16);
    // Two seats for 900 slots: 450 steps at best (the last slots of one source go alone).
    expect(balanced.steps).toBeLessThanOrEqual(460);
    const finish = Object.values(balanced.finishedAt);
    expect(Math.max(...finish) - Math.min(...finish)).toBeLessThanOrEqual(20);
    // Never swapping (a lead nothing reaches): the first two finish at 300, the third at 600.
    expect(drain({ a: 300, b: 300, c: 300 }, 1e9).steps).toBe(600);
  });
});
