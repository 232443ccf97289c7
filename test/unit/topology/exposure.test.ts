import { describe, expect, it } from 'vitest';
import { ExposureMeter, ExposureTracker } from '../../../src/topology/exposure.js';

describe('ExposureTracker', () => {
  it('integrates open slots over time, counts the most open at once and the closing bursts', () => {
    const t = new ExposureTracker();
    t.open(1, 0);
    t.open(2, 0);
    t.open(3, 500);
    t.close([1, 2], 1000); // one burst: 2 × 1 s
    t.close([3], 1500); // another: 1 s
    expect(t.stats(2000)).toEqual({ slotSeconds: 3, maxOpen: 3, closingBursts: 2, slotsOpened: 3 });
  });

  it('counts a slot still open up to now, and ignores closes of slots never opened', () => {
    const t = new ExposureTracker();
    t.open(7, 100);
    t.open(7, 200); // already open: keeps its first time
    t.close([8], 300);
    expect(t.openNow).toBe(1);
    expect(t.stats(1100)).toEqual({ slotSeconds: 1, maxOpen: 1, closingBursts: 0, slotsOpened: 1 });
  });
});

describe('ExposureMeter', () => {
  it('turns successive readings into opens and closes', () => {
    const m = new ExposureMeter();
    m.observe(new Set(), 0);
    m.observe(new Set([10, 11]), 10);
    m.observe(new Set([10, 11, 12]), 20);
    m.observe(new Set([12]), 30); // 10 and 11 closed together
    m.observe(new Set(), 40);
    const s = m.stats(50);
    expect(s.slotsOpened).toBe(3);
    expect(s.maxOpen).toBe(3);
    expect(s.closingBursts).toBe(2);
    expect(s.slotSeconds).toBeCloseTo((20 + 20 + 20) / 1000, 10);
  });
});
