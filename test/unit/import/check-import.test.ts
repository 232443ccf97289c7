import { describe, expect, it } from 'vitest';
import { checkGrowth, compareSample } from '../../../src/import/check-import.js';
import { hashKey, isSampled } from '../../../src/import/digest.js';
import { importShare } from '../../../src/report/import-reporter.js';

describe('checkGrowth', () => {
  it('needs exact growth without --replace', () => {
    expect(checkGrowth(10, 110, 100, true)).toBeNull();
    expect(checkGrowth(10, 109, 100, true)).toMatch(/grew by 99, expected 100/);
  });
  it('bounds growth with --replace (a restore may overwrite)', () => {
    expect(checkGrowth(10, 50, 100, false)).toBeNull();
    expect(checkGrowth(10, 111, 100, false)).toMatch(/expected 0..100/);
    expect(checkGrowth(10, 5, 100, false)).toMatch(/grew by -5/);
  });
});

describe('compareSample', () => {
  const base = { digest: 'd1', ttlMs: 0, actualDigest: 'd1', actualTtlMs: -1, elapsedMs: 500 };
  it('accepts the same value and no TTL', () => expect(compareSample(base)).toBeNull());
  it('flags a missing key, a different value, a TTL gained or lost', () => {
    expect(compareSample({ ...base, actualDigest: null })).toMatch(/missing/);
    expect(compareSample({ ...base, actualDigest: 'd2' })).toMatch(/value differs/);
    expect(compareSample({ ...base, actualTtlMs: 1000 })).toMatch(/source had none/);
    expect(compareSample({ ...base, ttlMs: 60_000 })).toMatch(/has no TTL/);
  });
  it('accepts a TTL within 1 s of the source minus the time that passed', () => {
    const ttl = { ...base, ttlMs: 60_000, elapsedMs: 5000 };
    expect(compareSample({ ...ttl, actualTtlMs: 55_000 })).toBeNull();
    expect(compareSample({ ...ttl, actualTtlMs: 54_100 })).toBeNull();
    expect(compareSample({ ...ttl, actualTtlMs: 53_900 })).toMatch(/expected about 55000/);
    expect(compareSample({ ...ttl, actualTtlMs: 61_100 })).toMatch(/TTL 61100/);
  });
});

describe('verification sample', () => {
  it('picks about sampleSize of total keys, the same ones every time', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => Buffer.from(`sp:${i}`));
    const picked = keys.filter((k) => isSampled(k, 200, keys.length));
    expect(picked.length).toBeGreaterThan(120);
    expect(picked.length).toBeLessThan(280);
    expect(keys.filter((k) => isSampled(k, 200, keys.length))).toEqual(picked);
    expect(keys.filter((k) => isSampled(k, 0, keys.length))).toEqual([]);
    expect(hashKey(Buffer.from('a'))).toBe(0xe40c292c);
  });
});

describe('importShare', () => {
  it('is keys scanned of the source without --match, SCAN calls × COUNT with it, never 100% before the end', () => {
    expect(importShare({ sourceKeys: 1000, match: false, batch: 100 }, 250, 3)).toBe(0.25);
    expect(importShare({ sourceKeys: 1000, match: true, batch: 100 }, 10, 3)).toBe(0.3);
    expect(importShare({ sourceKeys: 1000, match: false, batch: 100 }, 1000, 10)).toBe(0.999);
    expect(importShare({ sourceKeys: 0, match: false, batch: 100 }, 0, 1)).toBe(1);
  });
});
