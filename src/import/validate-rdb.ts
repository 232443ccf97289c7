import calculateSlot from 'cluster-key-slot';
import { acceptsType } from '../rdb/target-format.js';
import { globMatch } from '../rdb/glob.js';
import { readRdbFile, type RdbFileStat } from '../rdb/read-file.js';
import { planRestore } from '../rdb/restore-plan.js';
import { typeInfo, type RdbFlavor } from '../rdb/types.js';
import type { PreparedRdbImport } from './rdb-targets.js';
import type { ImportEvent, RdbValidation } from './types.js';

/** Progress events at most this often (a 20 GB file would otherwise flood NDJSON and the journal). */
const PROGRESS_MS = 250;

/**
 * The validation pass: read the whole file with every check on (each compact encoding walked, LZF
 * decompressed, the CRC-64 compared), count the keys to import, and try each key that its master
 * does not read as stored (re-encoding, module values, field TTLs a server cannot keep), so that
 * whatever would stop the run stops it here, before the first write. Throws the refusal (exit 2).
 */
export async function validateRdbImport(
  prep: PreparedRdbImport,
  options: { readonly file: RdbFileStat; readonly db: number; readonly match: string | null },
  emit: (e: ImportEvent) => void,
): Promise<RdbValidation> {
  const started = Date.now();
  const match = options.match === null ? null : Buffer.from(options.match);
  let version = 0;
  let flavor: RdbFlavor = 'redis';
  let checksumChecked = false;
  let keys = 0;
  let expired = 0;
  let lastEmit = 0;
  emit({ type: 'validate-progress', t: started, bytes: 0, totalBytes: options.file.bytes });
  await readRdbFile(options.file, true, (entries, bytesRead) => {
    const now = Date.now();
    for (const e of entries) {
      if (e.kind === 'header') [version, flavor] = [e.version, e.flavor];
      else if (e.kind === 'eof') checksumChecked = e.checksumChecked;
      if (e.kind !== 'key' || e.db !== options.db || (match && !globMatch(match, e.key))) continue;
      keys++;
      if (e.expireAt !== null && e.expireAt <= now) {
        expired++;
        continue;
      }
      const target = prep.formats.get(prep.slotOwners[calculateSlot(e.key)]!)!;
      if (typeInfo(e.type, flavor)?.kind === 'module' || !acceptsType(target, e.type, flavor)) planRestore(e, flavor, target, now);
    }
    if (now - lastEmit >= PROGRESS_MS) {
      lastEmit = now;
      emit({ type: 'validate-progress', t: now, bytes: bytesRead, totalBytes: options.file.bytes });
    }
  });
  const result: RdbValidation = { file: options.file.path, bytes: options.file.bytes, version, flavor, checksumChecked, keys, expired };
  emit({ type: 'validated', t: Date.now(), ms: Date.now() - started, ...result });
  return result;
}
