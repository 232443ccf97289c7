import { parseInfo } from '../redis/info.js';
import type { ConnectionOptions, HostPort } from '../redis/connection.js';
import { decodeValue } from '../rdb/read-value.js';
import { targetFormatOf, type TargetFormat } from '../rdb/target-format.js';
import type { RdbFlavor } from '../rdb/types.js';
import { prepareTargets, type ImportTarget, type ImportTargets } from './preflight.js';
import type { DumpedKey } from './types.js';
import { decodedDigest, partsDigest } from './value-digest.js';
import type { ReadBackKeys } from './verify-import.js';
import type { ValueComparer } from './write-group.js';

/** The cluster side of an RDB import: the masters and what each one reads in a RESTORE. */
export interface PreparedRdbImport extends ImportTargets {
  /** Master id → its server family and RDB version (INFO server). */
  readonly formats: ReadonlyMap<string, TargetFormat>;
}

/** Check and connect the cluster (prepareTargets), then ask each master which server it is. */
export async function prepareRdbImport(seed: HostPort, connection: ConnectionOptions): Promise<PreparedRdbImport> {
  const cluster = await prepareTargets(seed, connection, { pipes: true });
  try {
    const formats = new Map<string, TargetFormat>();
    await Promise.all([...cluster.targets.values()].map(async (t) => formats.set(t.id, targetFormatOf(parseInfo(await t.client.info('server'))))));
    return { ...cluster, formats };
  } catch (error) {
    cluster.close();
    throw error;
  }
}

/** A key read from an RDB file on its way to a master: the DUMP payload and the file's own bytes. */
export interface RdbDumpedKey extends DumpedKey {
  readonly type: number;
  readonly value: Buffer;
  readonly valueOffset: number;
}

type PartsPipeline = ReturnType<ImportTarget['client']['pipeline']> & { valuePartsBuffer(key: Buffer): PartsPipeline };

/** Read back each key's value parts (value-digest.ts) and PTTL from its owner. */
export const readBackParts: ReadBackKeys = async (target, keys) => {
  const p = target.client.pipeline() as PartsPipeline;
  for (const k of keys) p.valuePartsBuffer(k).pttl(k);
  const replies = (await p.exec()) ?? [];
  return keys.map((_, i) => {
    const [error, parts] = replies[i * 2] ?? [];
    if (error) throw error;
    return { digest: partsDigest(parts as Buffer[] | null), pttl: Number(replies[i * 2 + 1]?.[1]) };
  });
};

/** BUSYKEY settled by the file's decoded value against what the owner holds. */
export function fileComparer(flavor: RdbFlavor): ValueComparer<RdbDumpedKey> {
  return {
    sourceDigests: async (entries) => entries.map((e) => decodedDigest(decodeValue(e.type, e.value, e.valueOffset, flavor))),
    targetDigests: async (target, keys) => (await readBackParts(target, keys)).map((r) => r.digest),
  };
}
