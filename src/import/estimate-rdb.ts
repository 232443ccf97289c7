/**
 * How long `import --rdb` takes for a file, from what the bench measured on 3 local masters
 * (npm run bench:import -- --rdb; figures in docs/import-rdb.md): the validation pass reads the file
 * at about VALIDATE_BYTES_PER_SEC, then keys are written at about KEYS_PER_SEC, or slower when
 * values are big (BYTES_PER_SEC of payload). Real clusters over a network differ: an estimate.
 */
export const VALIDATE_BYTES_PER_SEC = 150e6;
export const KEYS_PER_SEC = 200_000;
export const BYTES_PER_SEC = 100e6;

export function estimateRdbImportSeconds(keys: number, bytes: number): number {
  return bytes / VALIDATE_BYTES_PER_SEC + Math.max(keys / KEYS_PER_SEC, bytes / BYTES_PER_SEC);
}
