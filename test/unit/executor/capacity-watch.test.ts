import { describe, expect, it } from 'vitest';
import { CapacityWatch, type MemoryReading } from '../../../src/executor/capacity-watch.js';

const r = (used: number, evicted = 0, expired = 0, max = 1000): MemoryReading => ({ used, max, policy: 'allkeys-lru', evicted, expired });

describe('CapacityWatch', () => {
  it('reports each new eviction at once and a node reaching 95% of its maxmemory once', () => {
    const w = new CapacityWatch();
    expect(w.observe('t', r(100, 7, 3))).toEqual([]); // baseline: earlier evictions are not this run's
    expect(w.observe('t', r(500, 7, 4))).toEqual([]);
    expect(w.observe('t', r(960, 9, 4))).toEqual([
      { kind: 'evicted', node: 't', keys: 2, used: 960, max: 1000, policy: 'allkeys-lru' },
      { kind: 'full', node: 't', used: 960, max: 1000, policy: 'allkeys-lru' },
    ]);
    expect(w.observe('t', r(970, 9, 5))).toEqual([]); // full is said once
    expect(w.totals()).toEqual({ evicted: 2, expired: 2 });
  });

  it('never alarms a node without maxmemory', () => {
    const w = new CapacityWatch();
    w.observe('t', r(10, 0, 0, 0));
    expect(w.observe('t', r(1e12, 0, 0, 0))).toEqual([]);
  });
});
