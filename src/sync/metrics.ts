import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import { UsageError } from '../errors.js';
import type { SyncEvent, SyncHandle } from './events.js';

/**
 * Prometheus metrics of a sync, for runs that last days: lag (bytes, seconds), keys and commands
 * applied, errors, per source. prom-client (the Node client Prometheus lists) on its own registry;
 * the only label is the source's `host:port`, so no password, user or file path reaches a label.
 * Served at `/metrics` on `host:port` (127.0.0.1 unless told otherwise: the figures describe a
 * database).
 */
export function serveSyncMetrics(handle: SyncHandle, host: string, port: number): Promise<{ close(): void; port: number }> {
  const registry = new Registry();
  const labelNames = ['source'] as const;
  const lagBytes = new Gauge({ name: 'slotpilot_sync_lag_bytes', help: 'Replication bytes the source has that the cluster has not acknowledged', labelNames, registers: [registry] });
  const lagSeconds = new Gauge({ name: 'slotpilot_sync_lag_seconds', help: 'Age of the oldest received command not yet acknowledged by the cluster', labelNames, registers: [registry] });
  const applied = new Gauge({ name: 'slotpilot_sync_applied_offset', help: 'Replication offset up to which everything is in the cluster', labelNames, registers: [registry] });
  const keys = new Gauge({ name: 'slotpilot_sync_snapshot_keys', help: 'Keys of the latest full sync written to the cluster', labelNames, registers: [registry] });
  const commands = new Gauge({ name: 'slotpilot_sync_commands_applied', help: 'Commands of the stream applied to the cluster since the start of the run', labelNames, registers: [registry] });
  const streaming = new Gauge({ name: 'slotpilot_sync_streaming', help: '1 once the source streams (full sync and its replay done)', labelNames, registers: [registry] });
  const errors = new Counter({ name: 'slotpilot_sync_errors_total', help: 'Link losses, conflicts, capacity alarms and stops', labelNames, registers: [registry] });
  handle.subscribe((e: SyncEvent) => {
    if (e.type === 'lag') {
      const l = { source: e.source };
      if (e.lagBytes !== null) lagBytes.set(l, e.lagBytes);
      lagSeconds.set(l, e.lagSeconds);
      applied.set(l, e.appliedOffset);
      keys.set(l, e.keys);
      commands.set(l, e.commands);
      streaming.set(l, e.phase === 'streaming' ? 1 : 0);
    } else if (e.type === 'link-lost') errors.inc({ source: e.source });
    else if (e.type === 'conflict' || e.type === 'capacity' || e.type === 'stopping') errors.inc({ source: 'run' });
  });
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new UsageError(`--metrics-port ${port}: cannot listen on ${host}:${port} (${error.code ?? error.message})`)));
    server.listen(port, host, () => {
      server.unref();
      const address = server.address();
      resolve({ close: () => server.close(), port: typeof address === 'object' && address ? address.port : port });
    });
  });
}
