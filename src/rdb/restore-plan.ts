import { buildDumpPayload } from './dump-payload.js';
import type { RdbKeyEntry } from './entries.js';
import { RdbUnsupportedError } from './errors.js';
import { reencodeValue } from './encode/reencode.js';
import { moduleNameOf } from './read-value.js';
import { acceptsType, payloadVersion, type TargetFormat } from './target-format.js';
import { typeInfo, VALKEY_HASH_2, type RdbFlavor } from './types.js';

/** How one key of the file goes to its target. */
export type RestorePlan =
  | {
      readonly kind: 'restore';
      /** The DUMP payload for `RESTORE key <expireAt> payload ABSTTL`. */
      readonly payload: Buffer;
      /** False: the file's own bytes; true: decoded and written in a type the target reads. */
      readonly reencoded: boolean;
    }
  /** Its expiry (or every field's) has passed: Redis would drop it on load, so it is not written. */
  | { readonly kind: 'expired' };

/**
 * Decide how a key is restored on `target` at time `now`: a payload from the file's bytes where the
 * target understands the type (no decode), re-encoded where it does not, skipped when expired.
 * A module value is refused naming its module: its bytes mean something only to that module.
 */
export function planRestore(entry: RdbKeyEntry, flavor: RdbFlavor, target: TargetFormat, now: number): RestorePlan {
  if (entry.expireAt !== null && entry.expireAt <= now) return { kind: 'expired' };
  const name = (): string => JSON.stringify(entry.key.toString());
  const info = typeInfo(entry.type, flavor);
  if (info?.kind === 'module') {
    throw new RdbUnsupportedError(entry.offset, name(), `a value of module type "${moduleNameOf(entry.value, entry.valueOffset)}", which only that module can read; import it with the module's own tools`);
  }
  if (acceptsType(target, entry.type, flavor)) {
    return { kind: 'restore', payload: buildDumpPayload(entry.type, entry.value, payloadVersion(target, entry.type, flavor)), reencoded: false };
  }
  let r;
  try {
    r = reencodeValue({ type: entry.type, bytes: entry.value, offset: entry.valueOffset, flavor }, target, now);
  } catch (error) {
    if (error instanceof RdbUnsupportedError && error.key === null) throw new RdbUnsupportedError(entry.offset, name(), error.reason);
    throw error;
  }
  if (!r) return { kind: 'expired' };
  const typeFlavor: RdbFlavor = target.flavor === 'valkey' && r.type === VALKEY_HASH_2 ? 'valkey' : 'redis';
  return { kind: 'restore', payload: buildDumpPayload(r.type, r.body, payloadVersion(target, r.type, typeFlavor)), reencoded: true };
}
