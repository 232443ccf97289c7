import { describe, expect, it } from 'vitest';
import { MAX_AHEAD, MIN_AHEAD, OpenAhead } from '../../../src/executor/open-ahead.js';

describe('OpenAhead', () => {
  it('opens as many slots ahead as a round and a close take key loops, within bounds', () => {
    const a = new OpenAhead();
    expect(a.ahead('s')).toBe(2); // nothing measured yet
    a.recordRound(3);
    a.recordKeys('s', 1);
    expect(a.ahead('s')).toBe(4); // 3 key loops while one opens, and one more
    a.recordClose(2);
    expect(a.ahead('s')).toBe(6); // and 2 more while one closes
    a.recordKeys('fast', 0.001);
    expect(a.ahead('fast')).toBe(MAX_AHEAD);
    const slow = new OpenAhead();
    slow.recordRound(1);
    slow.recordKeys('s', 50);
    expect(slow.ahead('s')).toBe(MIN_AHEAD + 1);
  });
});
