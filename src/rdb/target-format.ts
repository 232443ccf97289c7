import { MAX_REDIS_RDB_VERSION, typeInfo, VALKEY_HASH_2, VALKEY_RDB_VERSION, type RdbFlavor } from './types.js';

/** What a target server takes in a RESTORE: its family and the newest RDB version it accepts. */
export interface TargetFormat {
  readonly flavor: RdbFlavor;
  readonly rdbVersion: number;
  /** `Redis 7.0.15`, `Valkey 8.1.0`: for messages. */
  readonly label: string;
}

/**
 * The RDB version of a server version: Redis 3.2 → 7, 4.0 → 8, 5.0–6.2 → 9, 7.0 → 10, 7.2 → 11,
 * 7.4 and 8.x → 12 (later ones read 12 too, and this reader writes nothing newer); Valkey 7.2–8.x
 * stayed on Redis' 11, Valkey 9 moved to 80.
 */
export function rdbVersionOf(flavor: RdbFlavor, version: string): number {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (flavor === 'valkey') return major >= 9 ? VALKEY_RDB_VERSION : 11;
  const v = major * 100 + minor;
  if (v >= 704) return MAX_REDIS_RDB_VERSION;
  if (v >= 702) return 11;
  if (v >= 700) return 10;
  if (v >= 500) return 9;
  if (v >= 400) return 8;
  if (v >= 302) return 7;
  return 6;
}

/** A target's format from its `INFO server` fields (Valkey also reports a redis_version for clients). */
export function targetFormatOf(info: ReadonlyMap<string, string>): TargetFormat {
  const valkeyVersion = info.get('valkey_version');
  const valkey = valkeyVersion !== undefined || info.get('server_name') === 'valkey';
  const version = (valkey ? valkeyVersion : undefined) ?? info.get('redis_version') ?? '0.0.0';
  const flavor: RdbFlavor = valkey ? 'valkey' : 'redis';
  return { flavor, rdbVersion: rdbVersionOf(flavor, version), label: `${valkey ? 'Valkey' : 'Redis'} ${version}` };
}

/** Whether `target` understands a value of `type` as a file of `fileFlavor` wrote it. */
export function acceptsType(target: TargetFormat, type: number, fileFlavor: RdbFlavor): boolean {
  const info = typeInfo(type, fileFlavor);
  if (!info) return false;
  if (target.flavor === 'valkey') {
    // Valkey shares Redis' types up to RDB 11 only; 22 is its own hash with field TTLs.
    if (fileFlavor === 'valkey' && type === VALKEY_HASH_2) return target.rdbVersion >= VALKEY_RDB_VERSION;
    return info.since <= 11;
  }
  return fileFlavor === 'redis' && info.since <= target.rdbVersion;
}

/** The RDB version a payload for `target` carries: its own (Valkey 9 still takes 11 for the shared types). */
export function payloadVersion(target: TargetFormat, type: number, fileFlavor: RdbFlavor): number {
  if (target.flavor === 'valkey') return fileFlavor === 'valkey' && type === VALKEY_HASH_2 ? VALKEY_RDB_VERSION : 11;
  return Math.min(target.rdbVersion, MAX_REDIS_RDB_VERSION);
}
