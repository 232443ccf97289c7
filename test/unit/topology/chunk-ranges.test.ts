import { describe, expect, it } from 'vitest';
import { chunkRanges } from '../../../src/topology/read-topology.js';

describe('chunkRanges', () => {
  it('cuts ranges into pieces of at most the given size, keeping every slot once and in order', () => {
    const ranges: [number, number][] = [[0, 2499], [5000, 5000], [6000, 7100]];
    const chunks = chunkRanges(ranges, 1024);
    const sizes = chunks.map((c) => c.reduce((a, [s, e]) => a + e - s + 1, 0));
    expect(sizes.every((n) => n <= 1024)).toBe(true);
    expect(sizes.slice(0, -1).every((n) => n === 1024)).toBe(true);
    const slots = chunks.flat().flatMap(([s, e]) => Array.from({ length: e - s + 1 }, (_, i) => s + i));
    const expected = ranges.flatMap(([s, e]) => Array.from({ length: e - s + 1 }, (_, i) => s + i));
    expect(slots).toEqual(expected);
  });

  it('no ranges, no chunks', () => {
    expect(chunkRanges([], 1024)).toEqual([]);
  });
});
