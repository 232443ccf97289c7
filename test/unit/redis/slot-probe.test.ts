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

describe('probeKey tags', () => {
  it('are the shortest base-36 tags, first in counting order, as a plain search finds them', () => {
    const expected = new Array<string>(16384);
    let missing = 16384;
    for (let i = 0; missing > 0; i++) {
      const tag = i.toString(36);
      const slot = calculateSlot(tag);
      if (expected[slot] === undefined) {
        expected[slot] = tag;
        missing--;
      }
    }
    for (let slot = 0; slot < 16384; slot++) expect(probeKey(slot)).toBe(`{${expected[slot]}}:slotpilot-probe`);
  });
});
