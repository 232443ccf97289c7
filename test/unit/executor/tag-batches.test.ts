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

  it('reads a Buffer name by its bytes, as Redis does: equal tag bytes, equal tags, whatever the encoding', () => {
    const name = (...parts: (string | number[])[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
    expect(hashTagOf(name('{', [0xff, 0xfe], '}:a'))).toBe(hashTagOf(name('x{', [0xff, 0xfe], '}', [0x80])));
    expect(hashTagOf(name('{', [0xff, 0xfe], '}:a'))).not.toBe(hashTagOf(name('{', [0xff, 0xfd], '}:a')));
    expect(hashTagOf(name('{}', [0xff]))).toBe(name('{}', [0xff]).toString('latin1'));
    expect(hashTagOf(name([0xc3], '{b'))).toBe(name([0xc3], '{b').toString('latin1'));
  });
});

describe('batchByTag', () => {
  it('keeps each tag in one batch when it fits, and never exceeds the size', () => {
    const keys = ['{a}1', '{b}1', '{a}2', '{c}1', '{b}2', '{c}2', '{a}3'];
    expect(batchByTag(keys, 4)).toEqual([['{a}1', '{a}2', '{a}3'], ['{b}1', '{b}2', '{c}1', '{c}2']]);
  });

  it('groups Buffer names by tag bytes, even bytes that are not UTF-8', () => {
    const tagged = (tag: number, i: number): Buffer => Buffer.from([0x7b, 0xff, tag, 0x7d, 0x30 + i]);
    const keys = [tagged(1, 0), tagged(2, 0), tagged(1, 1), tagged(2, 1), tagged(1, 2)];
    expect(batchByTag(keys, 3)).toEqual([[keys[0], keys[2], keys[4]], [keys[1], keys[3]]]);
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
