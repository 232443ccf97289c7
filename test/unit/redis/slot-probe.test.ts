import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import { probeKey } from '../../../src/redis/slot-probe.js';

describe('probeKey', () => {
  it('names a key of every slot', () => {
    for (const slot of [0, 1, 5460, 5461, 8000, 16383]) expect(calculateSlot(probeKey(slot))).toBe(slot);
    const all = new Set(Array.from({ length: 16384 }, (_, s) => calculateSlot(probeKey(s))));
    expect(all.size).toBe(16384);
  });
});
