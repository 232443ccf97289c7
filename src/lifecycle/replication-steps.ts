import { OperationError } from '../errors.js';
import { FailoverTimeoutError, SyncTimeoutError } from './errors.js';
import { connectNode, formatAddr, parseAddr, type ConnectionOptions, type HostPort } from '../redis/connection.js';
import { readTopology } from '../topology/read-topology.js';
import type { Emit, SyncPhase } from './events.js';
import { showsRolesSwapped } from './judge-replace.js';
import { readOwnView, withNode } from './node-steps.js';
import { hasCaughtUp, readSyncStatus, type SyncStatus } from './sync-status.js';
import { sleep } from '../util/sleep.js';

/** How often progress is sampled and (at most) reported while a replica syncs. */
const POLL_MS = 250;
const REPORT_MS = 1000;
const QUIET_REPORT_MS = 5000;
/** Redis gives a manual failover 5 s (CLUSTER_MF_TIMEOUT) before aborting it; a little more to hear about it. */
const MANUAL_FAILOVER_WINDOW_MS = 6000;

/**
 * Follow a replica's initial sync until it has caught up: snapshot transfer (bytes), loading, then
 * the replication offset closing on the master's. Emits `sync-progress` on every phase change and at
 * most once a second otherwise. Throws OperationError after `timeoutMs` without reaching sync; the
 * replica stays attached (a re-run continues), the master is never touched.
 */
export async function waitForSync(replica: HostPort, master: HostPort, conn: ConnectionOptions, timeoutMs: number, emit: Emit): Promise<SyncStatus> {
  const [r, m] = await Promise.all([connectNode(replica, conn), connectNode(master, conn)]);
  const deadline = Date.now() + timeoutMs;
  let lastPhase: SyncPhase | null = null;
  let lastReport = 0;
  let target: number | null = null;
  let status: SyncStatus | null = null;
  let lastShown: SyncStatus | null = null;
  try {
    for (;;) {
      const [masterInfo, replicaInfo] = await Promise.all([m.info('replication'), r.info('replication').then(async (x) => `${x}\n${await r.info('persistence')}`)]);
      status = readSyncStatus(masterInfo, replicaInfo, replica.host, replica.port);
      if (status.phase === 'catch-up' && target === null) target = status.masterOffset;
      const done = hasCaughtUp(status, target);
      const shown: SyncStatus = done ? { ...status, phase: 'in-sync' } : status;
      const now = Date.now();
      // Figures that did not move are not news: a master waiting out repl-diskless-sync-delay says so every few seconds, not every second.
      const moved = shown.phase === 'snapshot' ? shown.bytesRead !== lastShown?.bytesRead : shown.phase === 'catch-up' && shown.replicaOffset !== lastShown?.replicaOffset;
      if (shown.phase !== lastPhase || done || (now - lastReport >= REPORT_MS && moved) || now - lastReport >= QUIET_REPORT_MS) {
        emit({ type: 'sync-progress', t: now, replica: formatAddr(replica), master: formatAddr(master), ...shown });
        lastPhase = shown.phase;
        lastShown = shown;
        lastReport = now;
      }
      if (done) return shown;
      if (now > deadline) {
        const where = status.phase === 'snapshot' ? `${status.bytesRead} snapshot bytes received` : status.lagBytes !== null ? `${status.lagBytes} bytes behind` : status.phase;
        throw new SyncTimeoutError(formatAddr(replica), formatAddr(master), status.phase, status.lagBytes, `${formatAddr(replica)} did not finish syncing from ${formatAddr(master)} within ${Math.round(timeoutMs / 1000)} s (${where}); nothing was failed over, ${formatAddr(master)} is still the master; re-run to keep waiting, or remove-node the replica`);
      }
      await sleep(POLL_MS);
    }
  } finally {
    r.disconnect();
    m.disconnect();
  }
}

/**
 * Promote `fresh` (a replica of `old`) with a graceful CLUSTER FAILOVER: the master pauses its
 * clients, the replica applies the last of the stream, then takes over, so no acknowledged write is
 * lost. Then wait until every node sees the roles swapped. On timeout: OperationError. Redis aborts a
 * manual failover that does not complete in time and the old master resumes serving, so the cluster
 * is left as it was (the old master still master).
 */
export async function failOver(seed: HostPort, fresh: HostPort, oldId: string, freshId: string, conn: ConnectionOptions, timeoutMs: number): Promise<void> {
  await withNode(fresh, conn, async (client) => {
    try {
      await client.call('CLUSTER', 'FAILOVER');
    } catch (error) {
      throw new OperationError(`CLUSTER FAILOVER on ${formatAddr(fresh)} refused: ${(error as Error).message}; ${oldId.slice(0, 8)} is still the master`);
    }
  });
  const swappedEverywhere = async (): Promise<boolean> => {
    const t = await readTopology(seed, conn, { keys: false }).catch(() => null);
    if (!t) return false;
    const views = await Promise.all(
      t.nodes.filter((n) => n.reachable).map((n) => withNode(parseAddr(n.addr), conn, (c) => readOwnView(c, n.addr)).catch(() => null)),
    );
    return views.every((v) => v !== null && showsRolesSwapped(v, oldId, freshId));
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() <= deadline) {
    if (await swappedEverywhere()) return;
    await sleep(200);
  }
  // Redis may still be inside its own manual-failover window: wait it out, so what we report is the
  // outcome and not a guess (saying "still the master" of a node that is promoted a second later).
  const settle = Date.now() + MANUAL_FAILOVER_WINDOW_MS;
  while (Date.now() <= settle) {
    if (await swappedEverywhere()) return;
    await sleep(200);
  }
  const own = await withNode(fresh, conn, (c) => readOwnView(c, formatAddr(fresh))).catch(() => null);
  const promoted = own?.find((l) => l.flags.includes('myself'))?.role === 'master';
  throw new FailoverTimeoutError(
    formatAddr(fresh),
    oldId,
    promoted,
    promoted
      ? `${formatAddr(fresh)} was promoted but not every node agrees after ${Math.round(timeoutMs / 1000)} s; run slotpilot check, then re-run replace-node to finish`
      : `failover to ${formatAddr(fresh)} did not complete within ${Math.round(timeoutMs / 1000)} s; the old master ${oldId.slice(0, 8)} is still the master and nothing was removed (re-run replace-node to try again)`,
  );
}
