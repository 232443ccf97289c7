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

  it('counts a slot as its key-loop time over the loops its source runs at once', () => {
    const a = new OpenAhead();
    a.recordRound(3);
    a.recordClose(1);
    // Two loops of 2 ms each, each waiting for the other's MIGRATE: the source finishes a slot every 1 ms.
    a.recordKeys('s', 2);
    expect(a.ahead('s')).toBe(3); // one loop at a time (gentle): 4 ms / 2 ms, and one more
    expect(a.ahead('s', 2)).toBe(5); // 4 ms / 1 ms, and one more
    expect(a.ahead('s', 0)).toBe(3); // no loop counts as one
  });
});
