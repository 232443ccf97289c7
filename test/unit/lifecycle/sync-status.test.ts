import { describe, expect, it } from 'vitest';
import { hasCaughtUp, readSyncStatus } from '../../../src/lifecycle/sync-status.js';
import { formatLifecycleEvent } from '../../../src/report/lifecycle-reporter.js';

const master = (state: string, offset: number, masterOffset: number): string =>
  ['# Replication', 'role:master', 'connected_slaves:1', `slave0:ip=127.0.0.1,port=7006,state=${state},offset=${offset},lag=0`, `master_repl_offset:${masterOffset}`].join('\r\n');

describe('readSyncStatus', () => {
  it('reports the snapshot transfer with its size, or without when streamed (diskless)', () => {
    const replica = 'role:slave\r\nmaster_link_status:down\r\nmaster_sync_in_progress:1\r\nmaster_sync_total_bytes:1000\r\nmaster_sync_read_bytes:250\r\n';
    expect(readSyncStatus(master('send_bulk', 0, 500), replica, '127.0.0.1', 7006)).toMatchObject({ phase: 'snapshot', bytesRead: 250, bytesTotal: 1000 });
    const diskless = replica.replace('master_sync_total_bytes:1000', 'master_sync_total_bytes:-1');
    expect(readSyncStatus(master('send_bulk', 0, 500), diskless, '127.0.0.1', 7006)).toMatchObject({ phase: 'snapshot', bytesTotal: null });
  });

  it('reports catch-up lag from the offsets, then in-sync', () => {
    const replica = (off: number) => `role:slave\r\nmaster_link_status:up\r\nmaster_sync_in_progress:0\r\nslave_repl_offset:${off}\r\n`;
    const catching = readSyncStatus(master('online', 900, 1000), replica(900), '127.0.0.1', 7006);
    expect(catching).toMatchObject({ phase: 'catch-up', lagBytes: 100, masterOffset: 1000, replicaOffset: 900 });
    expect(hasCaughtUp(catching, 1000)).toBe(false);
    expect(hasCaughtUp(catching, 880)).toBe(true);
    expect(readSyncStatus(master('online', 1000, 1000), replica(1000), '127.0.0.1', 7006).phase).toBe('in-sync');
  });

  it('waits while the link is down and the master has not started, and sees loading', () => {
    expect(readSyncStatus(master('wait_bgsave', 0, 10), 'master_link_status:down\r\nmaster_sync_in_progress:0', '127.0.0.1', 7006).phase).toBe('waiting');
    expect(readSyncStatus(master('send_bulk', 0, 10), 'master_link_status:down\r\nmaster_sync_in_progress:0\r\nloading:1', '127.0.0.1', 7006).phase).toBe('loading');
  });
});

describe('formatLifecycleEvent', () => {
  const base = { type: 'sync-progress' as const, t: 0, replica: '127.0.0.1:7006', master: '127.0.0.1:7000', bytesRead: 0, bytesTotal: null, masterOffset: null, replicaOffset: null, lagBytes: null };
  it('says where the sync is in one line', () => {
    expect(formatLifecycleEvent({ ...base, phase: 'snapshot', bytesRead: 512, bytesTotal: 2048 })).toMatch(/^sync: snapshot .* of .* \(25%\)$/);
    expect(formatLifecycleEvent({ ...base, phase: 'catch-up', lagBytes: 100, replicaOffset: 900, masterOffset: 1000 })).toBe('sync: catching up, 100 B behind (offset 900 of 1,000)');
    expect(formatLifecycleEvent({ type: 'step', t: 0, step: 'meet', status: 'skipped', message: 'x is already a member' })).toBe('meet: x is already a member (already done)');
  });
});
