import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSlotRanges, parseSlotList, toSlotRanges } from '../../../src/topology/slot-ranges.js';

describe('slot ranges', () => {
  it('folds slots into sorted inclusive ranges', () => {
    expect(toSlotRanges([5, 1, 2, 3, 9, 9, 10])).toEqual([[1, 3], [5, 5], [9, 10]]);
    expect(toSlotRanges([])).toEqual([]);
  });

  it('formats and parses the same list', () => {
    expect(formatSlotRanges([0, 1, 2, 200, 4000, 4001])).toBe('0-2,200,4000-4001');
    expect(parseSlotList('0-2,200,4000-4001')).toEqual([0, 1, 2, 200, 4000, 4001]);
  });

  it('round-trips any slot set', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 16383 }), { minLength: 1, maxLength: 300 }), (slots) => {
        expect(parseSlotList(formatSlotRanges(slots, Infinity))).toEqual([...slots].sort((a, b) => a - b));
      }),
    );
  });

  it('truncates long lists in messages', () => {
    expect(formatSlotRanges([0, 2, 4, 6], 2)).toBe('0,2,… (2 more ranges)');
  });

  it.each([
    ['16384', /slot 16384 .* out of range/],
    ['5-3', /ends before it starts/],
    ['a-b', /Expected --slots to be a list/],
    ['1,,2', /Expected --slots/],
    ['-1', /Expected --slots/],
  ])('rejects %s', (text, message) => {
    expect(() => parseSlotList(text)).toThrow(message);
  });
});
