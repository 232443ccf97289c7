import type { Redis } from 'ioredis';
import { RefusedError, UnreachableError, UsageError } from '../errors.js';
import { connectNode, describeConnectError, formatAddr, type ConnectionOptions, type HostPort } from '../redis/connection.js';
import { DIGEST_KEYS_LUA } from '../redis/digest-script.js';
import { parseInfo } from '../redis/info.js';

/**
 * Reads PTTL and DUMP of a batch of keys in one round trip and one command: a pipeline of two
 * commands per key cost this process more CPU than the servers spent on them.
 */
const DUMP_KEYS_LUA = `
local out = {}
for i, k in ipairs(KEYS) do
  out[#out + 1] = redis.call('PTTL', k)
  out[#out + 1] = redis.call('DUMP', k)
end
return out`;

/** PTTL of each key in one command (MIGRATE moves the data; this says which keys exist and their TTLs). */
const TTL_KEYS_LUA = `
local out = {}
for i, k in ipairs(KEYS) do out[i] = redis.call('PTTL', k) end
return out`;

/**
 * Deletes each key only if it still holds the value that was copied (ARGV[i] is its DUMP payload):
 * a write to the source after the key was read must not be lost by the move. Returns the 1-based
 * indexes of the keys it kept.
 */
const DELETE_IF_UNCHANGED_LUA = `
local kept = {}
for i, k in ipairs(KEYS) do
  if redis.call('DUMP', k) == ARGV[i] then redis.call('DEL', k) else kept[#kept + 1] = i end
end
return kept`;

/** The standalone Redis keys are imported from, with the two scripts the import uses registered. */
export interface ImportSource {
  readonly addr: string;
  readonly client: Redis;
  /** DBSIZE when it was opened. */
  readonly keys: number;
  /**
   * Memory its data in this database takes (used_memory_dataset × this db's share of the keys), or
   * null when INFO does not say: what the import brings the cluster (the capacity check).
   */
  readonly dataBytes: number | null;
  dumpKeys(keys: readonly Buffer[]): Promise<unknown[]>;
  /** PTTL of each key (-2 missing, -1 no TTL). */
  ttlKeys(keys: readonly Buffer[]): Promise<number[]>;
  deleteIfUnchanged(keys: readonly Buffer[], payloads: readonly Buffer[]): Promise<number[]>;
  /** Canonical value digests (see digest.ts), null for a missing key. */
  digestKeys(keys: readonly Buffer[]): Promise<(string | null)[]>;
}

type ScriptClient = Redis & {
  dumpKeysBuffer(numKeys: number, ...keys: Buffer[]): Promise<unknown[]>;
  ttlKeys(numKeys: number, ...keys: Buffer[]): Promise<number[]>;
  deleteIfUnchanged(numKeys: number, ...args: Buffer[]): Promise<number[]>;
  digestKeys(numKeys: number, ...keys: Buffer[]): Promise<(string | null)[]>;
};

/** used_memory_dataset spread over the databases by their keys (`db0:keys=…` lines of INFO keyspace). */
function dataBytesOf(info: Map<string, string>, keys: number): number | null {
  const dataset = Number(info.get('used_memory_dataset'));
  if (!Number.isFinite(dataset)) return null;
  let total = 0;
  for (const [k, v] of info) if (/^db\d+$/.test(k)) total += Number(/keys=(\d+)/.exec(v)?.[1] ?? 0);
  return total > 0 ? (dataset * keys) / total : 0;
}

/**
 * Connect to the source and refuse what import must not read from: a cluster node (its keys belong
 * to a cluster already; use slot moves) or a database that does not exist. Unreachable → exit 1,
 * refusals → exit 2, before anything is written.
 */
export async function openSource(addr: HostPort, conn: ConnectionOptions, db: number): Promise<ImportSource> {
  const name = formatAddr(addr);
  const client = (await connectNode(addr, conn)) as ScriptClient;
  try {
    const info = parseInfo(await client.info('cluster').catch((error: Error) => {
      throw new UnreachableError(name, describeConnectError(error));
    }));
    if (info.get('cluster_enabled') === '1') {
      throw new RefusedError(`--from ${name} is a cluster node; import reads from a standalone Redis (move slots between clusters' masters with plan/apply instead)`);
    }
    await client.select(db).catch((error: Error) => {
      throw new UsageError(`--from ${name} has no database ${db} (${error.message.split('\n')[0]})`);
    });
    client.defineCommand('dumpKeys', { lua: DUMP_KEYS_LUA });
    client.defineCommand('ttlKeys', { lua: TTL_KEYS_LUA });
    client.defineCommand('deleteIfUnchanged', { lua: DELETE_IF_UNCHANGED_LUA });
    client.defineCommand('digestKeys', { lua: DIGEST_KEYS_LUA });
    const keys = await client.dbsize();
    return {
      addr: name,
      client,
      keys,
      dataBytes: dataBytesOf(parseInfo(await client.info('memory').then((m) => client.info('keyspace').then((k) => `${m}\n${k}`)).catch(() => '')), keys),
      dumpKeys: (keys) => client.dumpKeysBuffer(keys.length, ...keys),
      ttlKeys: async (keys) => (await client.ttlKeys(keys.length, ...keys)).map(Number),
      digestKeys: async (keys) => (keys.length ? client.digestKeys(keys.length, ...keys) : []),
      deleteIfUnchanged: async (keys, payloads) => (keys.length ? (await client.deleteIfUnchanged(keys.length, ...keys, ...payloads)).map(Number) : []),
    };
  } catch (error) {
    client.disconnect();
    throw error;
  }
}
