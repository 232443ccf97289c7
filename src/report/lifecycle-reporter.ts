import type { LifecycleEvent } from '../lifecycle/events.js';
import { formatBytes, formatCount } from '../util/format.js';

/**
 * One plain line per lifecycle event (sync progress arrives at most once a second), or null for
 * nothing to say. Pure, so the wording is tested without a cluster.
 */
export function formatLifecycleEvent(e: LifecycleEvent): string | null {
  switch (e.type) {
    case 'lifecycle-start':
      return `${e.command} via ${e.seed}${e.journal ? `; journal ${e.journal}` : ''}`;
    case 'step':
      return `${e.step}: ${e.message}${e.status === 'skipped' ? ' (already done)' : ''}`;
    case 'sync-progress':
      switch (e.phase) {
        case 'waiting':
          return `sync: ${e.replica} waiting for ${e.master} to start the transfer`;
        case 'snapshot':
          return e.bytesTotal
            ? `sync: snapshot ${formatBytes(e.bytesRead)} of ${formatBytes(e.bytesTotal)} (${Math.floor((e.bytesRead / e.bytesTotal) * 100)}%)`
            : `sync: snapshot ${formatBytes(e.bytesRead)} received (streamed, size not known in advance)`;
        case 'loading':
          return `sync: ${e.replica} loading the snapshot`;
        case 'catch-up':
          return `sync: catching up, ${formatBytes(e.lagBytes ?? 0)} behind (offset ${formatCount(e.replicaOffset ?? 0)} of ${formatCount(e.masterOffset ?? 0)})`;
        case 'in-sync':
          return `sync: ${e.replica} in sync with ${e.master} at offset ${formatCount(e.replicaOffset ?? e.masterOffset ?? 0)}`;
      }
      return null;
    case 'lifecycle-end':
      return e.ok ? `done: ${e.message}` : `stopped: ${e.message}`;
  }
}
