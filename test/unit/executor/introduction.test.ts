import { describe, expect, it } from 'vitest';
import { Introduction } from '../../../src/executor/introduction.js';

const moves = (to: string, first: number, n: number, from = 'A') => Array.from({ length: n }, (_, i) => ({ slot: first + i, from, to }));

describe('Introduction', () => {
  it('lets the first slot towards a new master open alone, then its intro slots, then the rest after the wait', () => {
    const intro = new Introduction(['D'], [...moves('D', 0, 10), ...moves('E', 100, 3)], { introSlots: 4, maxMs: 1000 });
    expect(intro.mayOpen(100, 'E')).toBe(true); // not a new master
    expect(intro.mayOpen(1, 'D')).toBe(false);
    expect(intro.mayOpen(0, 'D')).toBe(true);
    intro.opened(0, 'D');
    expect(intro.mayOpen(0, 'D')).toBe(false); // the first is open: nothing else towards D
    expect(intro.mayOpen(1, 'D')).toBe(false);
    expect(intro.closed(0, 'D', 10)).toBeNull();
    expect([1, 2, 3].map((s) => intro.mayOpen(s, 'D'))).toEqual([true, true, true]);
    expect(intro.mayOpen(4, 'D')).toBe(false); // not an intro slot
    for (const s of [1, 2, 3]) intro.opened(s, 'D');
    for (const s of [1, 2, 3]) expect(intro.closed(s, 'D', 20)).toBeNull();
    expect(intro.waiting).toEqual(['D']);
    expect(intro.mayOpen(4, 'D')).toBe(false);
    // Clients on it fewer than on the least connected loaded master: keep waiting, within the bound.
    expect(intro.observe('D', 3, 5, true, 500)).toBeNull();
    expect(intro.observe('D', 5, 5, true, 600)).toEqual({ target: 'D', reason: 'clients', waitedMs: 580 });
    expect(intro.mayOpen(4, 'D')).toBe(true);
    expect(intro.waiting).toEqual([]);
  });

  it('stops waiting at the bound, at once on a quiet cluster, and not at all when nothing more goes there', () => {
    const a = new Introduction(['D'], moves('D', 0, 3), { introSlots: 1, maxMs: 1000 });
    a.opened(0, 'D');
    a.closed(0, 'D', 0);
    expect(a.observe('D', null, null, true, 999)).toBeNull();
    expect(a.observe('D', null, null, true, 1000)).toMatchObject({ reason: 'timeout', waitedMs: 1000 });
    const b = new Introduction(['D'], moves('D', 0, 3), { introSlots: 1, maxMs: 1000 });
    b.opened(0, 'D');
    b.closed(0, 'D', 0);
    expect(b.observe('D', 1, 9, false, 5)).toMatchObject({ reason: 'quiet' });
    const c = new Introduction(['D'], moves('D', 0, 2), { introSlots: 4, maxMs: 1000 });
    c.opened(0, 'D');
    c.closed(0, 'D', 0);
    c.opened(1, 'D');
    expect(c.closed(1, 'D', 7)).toMatchObject({ reason: 'nothing-more' });
  });

  it('is settled once every new target is introduced, and from the start when there is none', () => {
    expect(new Introduction([], moves('D', 0, 3)).settled).toBe(true);
    const a = new Introduction(['D'], moves('D', 0, 3), { introSlots: 1, maxMs: 1000 });
    expect(a.settled).toBe(false);
    a.opened(0, 'D');
    a.closed(0, 'D', 0);
    expect(a.settled).toBe(false);
    a.observe('D', null, null, false, 1);
    expect(a.settled).toBe(true);
  });

  it('takes the intro slots from the first `sources` sources only, and still waits when a third has more', () => {
    // The plan's order interleaves the sources: A, B, C, A, B, C, ...
    const interleaved = [0, 1, 2, 3].flatMap((i) => [moves('D', i, 1, 'A')[0]!, moves('D', 100 + i, 1, 'B')[0]!, moves('D', 200 + i, 1, 'C')[0]!]);
    const intro = new Introduction(['D'], interleaved, { introSlots: 4, maxMs: 1000, sources: 2 });
    intro.opened(0, 'D');
    intro.closed(0, 'D', 0);
    expect([1, 100, 101, 200].filter((slot) => intro.mayOpen(slot, 'D'))).toEqual([1, 100, 101]);
    for (const slot of [1, 100, 101]) intro.opened(slot, 'D');
    // Its four intro slots closed; C's slots (and A's, B's later ones) wait for the clients.
    expect([1, 100, 101].map((slot) => intro.closed(slot, 'D', 5))).toEqual([null, null, null]);
    expect(intro.waiting).toEqual(['D']);
    expect(intro.mayOpen(200, 'D')).toBe(false);
  });
});
