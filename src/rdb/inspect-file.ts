import { readRdbFile, statRdbFile } from './read-file.js';
import { RdbStatsCollector, type RdbStats } from './rdb-stats.js';

/** A whole file read with every check on, and what it holds. */
export interface RdbInspection extends RdbStats {
  readonly file: string;
  readonly bytes: number;
  /** Time the read took, and what it gives per second (the reader's own throughput). */
  readonly readMs: number;
}

/** Read `path` once (all checks, CRC-64) and collect its statistics; `now` decides what is expired. */
export async function inspectRdbFile(path: string, now = Date.now()): Promise<RdbInspection> {
  const file = statRdbFile(path);
  const stats = new RdbStatsCollector(now);
  const started = performance.now();
  await readRdbFile(file, true, (entries) => {
    for (const e of entries) stats.add(e);
  });
  return { ...stats.stats, file: path, bytes: file.bytes, readMs: performance.now() - started };
}
