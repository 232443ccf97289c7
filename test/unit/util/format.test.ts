import { describe, expect, it } from 'vitest';
import { compareText, formatCount } from '../../../src/util/format.js';

describe('formatCount', () => {
  it('writes what toLocaleString("en-US") writes for whole, rounded, negative and huge numbers', () => {
    for (const n of [0, 7, 999, 1000, 1234.4, 1234.5, 99_999, 100_000, 1_000_000, 249_661, -1, -1234, -999_999.6, 12_345_678_901, Number.MAX_SAFE_INTEGER, Infinity, -Infinity, NaN]) {
      expect(formatCount(n)).toBe(Math.round(n).toLocaleString('en-US'));
    }
  });
});

describe('compareText', () => {
  it('orders addresses by code point, equal ones as equal', () => {
    expect(['127.0.0.2', '10.0.0.1', '127.0.0.10', 'b.example', 'a.example'].sort(compareText)).toEqual(['10.0.0.1', '127.0.0.10', '127.0.0.2', 'a.example', 'b.example']);
    expect(compareText('x', 'x')).toBe(0);
  });
});
