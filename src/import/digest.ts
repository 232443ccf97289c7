/** FNV-1a of a key: a cheap, stable way to pick the same sample of keys on every run. */
export function hashKey(key: Buffer): number {
  let h = 0x811c9dc5;
  for (const byte of key) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Whether `key` belongs to the verification sample: about `sampleSize` of `total` keys, chosen by the
 * key's hash so the choice needs no state and repeats across runs.
 */
export function isSampled(key: Buffer, sampleSize: number, total: number): boolean {
  if (sampleSize <= 0) return false;
  const every = Math.max(1, Math.ceil(total / sampleSize));
  return hashKey(key) % every === 0;
}
