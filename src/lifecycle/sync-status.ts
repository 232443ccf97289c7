import { parseInfo } from '../redis/info.js';
import type { SyncPhase, SyncStatus } from './events.js';

export type { SyncStatus };

/** What the master's `slaveN:ip=…,port=…,state=…,offset=…,lag=…` line says about one replica. */
export interface ReplicaLine {
  readonly ip: string;
  readonly port: number;
  readonly state: string;
  readonly offset: number;
}

/** The master's line for the replica at `port` (and `ip` when it matches; announced IPs may differ). */
export function findReplicaLine(masterInfo: Map<string, string>, ip: string, port: number): ReplicaLine | null {
  const lines: ReplicaLine[] = [];
  for (const [key, value] of masterInfo) {
    if (!/^slave\d+$/.test(key)) continue;
    const f = new Map(value.split(',').map((kv) => kv.split('=') as [string, string]));
    lines.push({ ip: f.get('ip') ?? '', port: Number(f.get('port')), state: f.get('state') ?? '', offset: Number(f.get('offset') ?? 0) });
  }
  return lines.find((l) => l.port === port && l.ip === ip) ?? lines.find((l) => l.port === port) ?? null;
}

const num = (m: Map<string, string>, k: string): number | null => (m.has(k) && Number.isFinite(Number(m.get(k))) ? Number(m.get(k)) : null);

/**
 * Where a replica is in its sync with its master, from `INFO replication` (and `INFO persistence`
 * for `loading`) of both. Pure. The replica's own fields tell the snapshot transfer
 * (`master_sync_in_progress`, `master_sync_read_bytes` of `master_sync_total_bytes`, -1 when the
 * master streams a diskless snapshot of unknown size); once its link is up, the offsets tell the
 * catch-up. `in-sync` means the master sees it online and it has applied everything the master had
 * when asked (an instantaneous lag of 0; under writes the caller compares against a target offset).
 */
export function readSyncStatus(masterInfoText: string, replicaInfoText: string, replicaIp: string, replicaPort: number): SyncStatus {
  const master = parseInfo(masterInfoText);
  const replica = parseInfo(replicaInfoText);
  const line = findReplicaLine(master, replicaIp, replicaPort);
  const masterOffset = num(master, 'master_repl_offset');
  const base = { bytesRead: 0, bytesTotal: null, masterOffset, replicaOffset: null, lagBytes: null };
  if (replica.get('master_sync_in_progress') === '1') {
    const total = num(replica, 'master_sync_total_bytes');
    return { ...base, phase: 'snapshot', bytesRead: num(replica, 'master_sync_read_bytes') ?? 0, bytesTotal: total !== null && total >= 0 ? total : null };
  }
  if (replica.get('loading') === '1' || replica.get('async_loading') === '1') return { ...base, phase: 'loading' };
  if (replica.get('master_link_status') !== 'up' || !line) return { ...base, phase: 'waiting' };
  const replicaOffset = num(replica, 'slave_repl_offset') ?? line.offset;
  const lagBytes = masterOffset === null ? null : Math.max(0, masterOffset - replicaOffset);
  const phase: SyncPhase = line.state === 'online' && lagBytes === 0 ? 'in-sync' : 'catch-up';
  return { ...base, phase, masterOffset, replicaOffset, lagBytes };
}

/**
 * Whether a replica has caught up with `target`, the master's offset when catch-up began: under a
 * live write load the instantaneous lag rarely reads 0, but having applied everything the master had
 * at a moment is what "in sync" promises (and a graceful failover closes the last gap itself).
 */
export function hasCaughtUp(status: SyncStatus, target: number | null): boolean {
  if (status.phase === 'in-sync') return true;
  return status.phase === 'catch-up' && target !== null && status.replicaOffset !== null && status.replicaOffset >= target;
}
