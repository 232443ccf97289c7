import { describe, expect, it } from 'vitest';
import { Watermark } from '../../../src/sync/watermark.js';

describe('applied offset (low-water mark)', () => {
  it('moves only over a prefix of acknowledged units, with the database at its end', () => {
    const w = new Watermark(100, 0);
    const a = w.add(110, 0, 1, 1);
    const b = w.add(120, 0, 2, 2);
    w.add(130, 3, 0, 3); // a SELECT: nothing to apply
    const d = w.add(140, 3, 1, 4);
    expect(w.done(d)).toBe(false);
    expect(w.offset).toBe(100);
    expect(w.oldestReceivedAt).toBe(1);
    expect(w.done(a)).toBe(true);
    expect(w.offset).toBe(110);
    w.done(b);
    expect(w.offset).toBe(110); // b still waits for its second master
    w.done(b);
    expect([w.offset, w.db, w.inFlight, w.oldestReceivedAt]).toEqual([140, 3, 0, null]);
  });

  it('passes units with nothing to apply at once when nothing waits before them', () => {
    const w = new Watermark(0, 0);
    w.add(5, 0, 0, 1);
    expect(w.offset).toBe(5);
    for (let i = 0; i < 3000; i++) w.done(w.add(10 + i, 0, 1, 1));
    expect(w.offset).toBe(3009);
  });
});
