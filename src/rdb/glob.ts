/**
 * Redis' glob (util.c stringmatchlen), on bytes: `*`, `?`, `[abc]`, `[^a-z]`, `\x`. The same
 * pattern an admin would give `SCAN MATCH` selects the same keys from a file.
 */

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const CARET = 0x5e;
const DASH = 0x2d;
const BACKSLASH = 0x5c;

/** Whether `ch` matches the pattern element at `p`; returns the next element's index, or -1. */
function matchOne(pat: Uint8Array, p: number, ch: number): number {
  const c = pat[p]!;
  if (c === QUESTION) return p + 1;
  if (c === BACKSLASH && p + 1 < pat.length) return pat[p + 1] === ch ? p + 2 : -1;
  if (c !== OPEN) return c === ch ? p + 1 : -1;
  let k = p + 1;
  const not = pat[k] === CARET;
  if (not) k++;
  let hit = false;
  while (k < pat.length && pat[k] !== CLOSE) {
    if (pat[k] === BACKSLASH && k + 1 < pat.length) {
      if (pat[k + 1] === ch) hit = true;
      k += 2;
    } else if (pat[k + 1] === DASH && k + 2 < pat.length && pat[k + 2] !== CLOSE) {
      const [lo, hi] = pat[k]! <= pat[k + 2]! ? [pat[k]!, pat[k + 2]!] : [pat[k + 2]!, pat[k]!];
      if (ch >= lo && ch <= hi) hit = true;
      k += 3;
    } else {
      if (pat[k] === ch) hit = true;
      k++;
    }
  }
  // An unclosed class ends with the pattern, as in Redis.
  return hit !== not ? Math.min(k + 1, pat.length) : -1;
}

export function globMatch(pattern: Uint8Array, s: Uint8Array): boolean {
  let p = 0;
  let i = 0;
  /** The last `*` seen and where the string was then: backtrack there on a mismatch. */
  let star = -1;
  let starAt = 0;
  while (i < s.length) {
    if (p < pattern.length) {
      if (pattern[p] === STAR) {
        star = p++;
        starAt = i;
        continue;
      }
      const next = matchOne(pattern, p, s[i]!);
      if (next >= 0) {
        p = next;
        i++;
        continue;
      }
    }
    if (star < 0) return false;
    p = star + 1;
    i = ++starAt;
  }
  while (p < pattern.length && pattern[p] === STAR) p++;
  return p === pattern.length;
}
