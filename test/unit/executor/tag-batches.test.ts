import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchByTag, hashTagOf } from '../../../src/executor/tag-batches.js';

describe('hashTagOf', () => {
  it('follows Redis: the first {…} with something in it, else the whole key', () => {
    expect(hashTagOf('{user1}:a')).toBe('user1');
    expect(hashTagOf('x{user1}{y}')).toBe('user1');
    expect(hashTagOf('{}a')).toBe('{}a');
    expect(hashTagOf('plain')).toBe('plain');
    expect(hashTagOf('a{b')).toBe('a{b');
  });
});

describe('batchByTag', () => {
  it('keeps each tag in one batch when it fits, and never exceeds the size', () => {
    const keys = ['{a}1', '{b}1', '{a}2', '{c}1', '{b}2', '{c}2', '{a}3'];
    expect(batchByTag(keys, 4)).toEqual([['{a}1', '{a}2', '{a}3'], ['{b}1', '{b}2', '{c}1', '{c}2']]);
  });

  it('cuts a tag bigger than a batch into full batches', () => {
    const keys = Array.from({ length: 7 }, (_, i) => `{big}${i}`);
    expect(batchByTag([...keys, '{s}x'], 3).map((b) => b.length)).toEqual([3, 3, 2]); // the last piece and the small tag share one
  });

  it('property: every key exactly once, batches within the size, a tag that fits is never split', () => {
    const key = fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 1000 })).map(([t, i]) => `{t${t}}:${i}`);
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 300 }), fc.integer({ min: 1, max: 50 }), (keys, size) => {
        const batches = batchByTag(keys, size);
        expect(batches.flat().sort()).toEqual([...keys].sort());
        for (const b of batches) expect(b.length).toBeLessThanOrEqual(size);
        const count = new Map<string, number>();
        for (const k of keys) count.set(hashTagOf(k), (count.get(hashTagOf(k)) ?? 0) + 1);
        for (const [tag, n] of count) {
          if (n > size) continue;
          expect(batches.filter((b) => b.some((k) => hashTagOf(k) === tag))).toHaveLength(1);
        }
      }),
    );
  });
});
