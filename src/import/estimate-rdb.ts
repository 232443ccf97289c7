/**
 * How long `import --rdb` takes for a file, from what `npm run bench:import -- --rdb` measured on 3
 * local masters sharing 2 cores (docs/import-rdb.md): the validation pass reads a file at about
 * VALIDATE_BYTES_PER_SEC (55-114 MB/s measured, cold to warm), then small keys are written at about
 * KEYS_PER_SEC (the write phase of 1M keys took 6.1-10 s). BYTES_PER_SEC bounds files of large
 * values: it was not measured (the bench's keys are small), it is loopback's order of magnitude.
 * Real clusters over a network are slower: an estimate.
 */
export const VALIDATE_BYTES_PER_SEC = 70e6;
export const KEYS_PER_SEC = 120_000;
export const BYTES_PER_SEC = 100e6;

export function estimateRdbImportSeconds(keys: number, bytes: number): number {
  return bytes / VALIDATE_BYTES_PER_SEC + Math.max(keys / KEYS_PER_SEC, bytes / BYTES_PER_SEC);
}
