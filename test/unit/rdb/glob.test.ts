import { describe, expect, it } from 'vitest';
import { globMatch } from '../../../src/rdb/glob.js';

const m = (pattern: string, s: string): boolean => globMatch(Buffer.from(pattern, 'latin1'), Buffer.from(s, 'latin1'));

describe('globMatch (Redis stringmatchlen)', () => {
  it('matches like SCAN MATCH: *, ?, classes, ranges, negation, escapes', () => {
    const cases: [string, string, boolean][] = [
      ['*', '', true], ['*', 'anything', true], ['sp:*', 'sp:1', true], ['sp:*', 'xsp:1', false],
      ['a*b*c', 'aXXbYYc', true], ['a*b*c', 'aXXbYY', false], ['*:1', 'user:1', true], ['**x', 'abx', true],
      ['h?llo', 'hello', true], ['h?llo', 'hllo', false], ['h[ae]llo', 'hallo', true], ['h[ae]llo', 'hillo', false],
      ['h[^e]llo', 'hallo', true], ['h[^e]llo', 'hello', false], ['[a-c]x', 'bx', true], ['[c-a]x', 'bx', true], ['[a-c]x', 'dx', false],
      ['a\\*b', 'a*b', true], ['a\\*b', 'aXb', false], ['[\\]]', ']', true], ['[abc', 'b', true], ['key', 'key', true], ['key', 'keys', false],
    ];
    for (const [p, s, want] of cases) expect(m(p, s), `${p} ~ ${s}`).toBe(want);
  });

  it('works on bytes, not characters', () => {
    expect(globMatch(Buffer.from('?\x00*', 'latin1'), Buffer.from([0xff, 0x00, 0x41]))).toBe(true);
  });
});
