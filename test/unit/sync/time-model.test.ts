import { describe, expect, it } from 'vitest';
import { estimateFullSync, fullSyncTimes, LatencyHistogram } from '../../../src/sync/time-model.js';

describe('time model', () => {
  it('estimates T_save from the last BGSAVE (or the dataset) and transfer+load from the write path\'s throughput', () => {
    const e = estimateFullSync({ keys: 1_200_000, usedMemory: 150e6, lastBgsaveSec: 2 });
    expect(e.saveSec).toBe(2);
    expect(e.transferLoadSec).toBeCloseTo(10, 0);
    expect(e.totalSec).toBeCloseTo(12, 0);
    expect(estimateFullSync({ keys: 0, usedMemory: 150e6, lastBgsaveSec: -1 }).saveSec).toBeCloseTo(0.3, 1);
  });

  it('measures each phase from the clock of a full sync', () => {
    expect(fullSyncTimes({ psyncAt: 0, transferAt: 1000, receivedAt: 4000, loadedAt: 4500, caughtUpAt: 5000 })).toEqual({ saveSec: 1, transferSec: 3, loadSec: 0.5, replaySec: 0.5 });
    expect(fullSyncTimes({ psyncAt: 0, transferAt: null, receivedAt: null, loadedAt: null, caughtUpAt: null }).saveSec).toBeNull();
  });

  it('gives percentiles within a bucket', () => {
    const h = new LatencyHistogram();
    expect(h.quantile(0.5)).toBeNull();
    for (let i = 1; i <= 1000; i++) h.add(i / 10);
    expect(h.quantile(0.5)!).toBeGreaterThan(45);
    expect(h.quantile(0.5)!).toBeLessThan(57);
    expect(h.quantile(0.99)!).toBeLessThanOrEqual(100);
    expect(h.quantile(0.99)!).toBeGreaterThan(88);
  });
});
