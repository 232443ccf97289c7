import type { Redis } from 'ioredis';
import { connectNode, migrateAuthArgs, type ConnectionOptions } from '../redis/connection.js';
import { parseClusterNodes } from '../topology/parse-cluster-nodes.js';
import type { ClusterNodeLine } from '../topology/types.js';

/** A node the executor talks to. */
export interface AdminNode {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly addr: string;
}

export interface MigrateOptions {
  readonly timeoutMs: number;
  readonly replace: boolean;
}

/**
 * Every Redis command the executor sends, per node id. The executor's logic only sees this
 * interface, so unit tests drive it with a scripted fake and integration tests with real nodes.
 */
export interface ClusterAdmin {
  /** Ids of every master (SETSLOT NODE is broadcast to all of them). */
  readonly masters: readonly string[];
  setSlot(node: string, slot: number, state: 'IMPORTING' | 'MIGRATING' | 'NODE', peer: string): Promise<void>;
  setSlotStable(node: string, slot: number): Promise<void>;
  getKeysInSlot(node: string, slot: number, count: number): Promise<string[]>;
  countKeysInSlot(node: string, slot: number): Promise<number>;
  migrate(source: string, target: string, keys: readonly string[], opts: MigrateOptions): Promise<void>;
  /** Which of `keys` exist on `node` in a slot it is importing (ASKING before each EXISTS). */
  existingKeys(node: string, keys: readonly string[]): Promise<string[]>;
  /** MEMORY USAGE of a key, null when unknown. */
  keyBytes(node: string, key: string): Promise<number | null>;
  /**
   * Cumulative MIGRATE calls and server-side microseconds (INFO commandstats), or null when the
   * node does not say (ACL). Measured on the server, so client and scheduling delays stay out.
   */
  migrateStats(node: string): Promise<{ calls: number; usec: number } | null>;
  /** The node's own CLUSTER NODES view. */
  view(node: string): Promise<ClusterNodeLine[]>;
  close(): void;
}

/**
 * One long-lived, auto-pipelined connection per node: concurrent SETSLOTs for many slots reach a node
 * in the same event-loop turn, so Redis saves its cluster config once for all of them.
 */
export async function connectAdmin(nodes: readonly AdminNode[], masters: readonly string[], conn: ConnectionOptions, commandTimeoutMs: number): Promise<ClusterAdmin> {
  const clients = new Map<string, Redis>();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  try {
    await Promise.all(
      nodes.map(async (n) => {
        clients.set(n.id, await connectNode(n, conn, { enableAutoPipelining: true, connectionName: 'slotpilot-executor' }));
      }),
    );
  } catch (error) {
    for (const c of clients.values()) c.disconnect();
    throw error;
  }
  const watch = watchNodes(clients, commandTimeoutMs);
  const client = (id: string): Redis => {
    const c = clients.get(id);
    if (!c) throw new Error(`no connection to node ${id.slice(0, 8)}`);
    return watch.track(id, c);
  };
  const auth = migrateAuthArgs(conn);
  return {
    masters,
    async setSlot(node, slot, state, peer) {
      await client(node).call('CLUSTER', 'SETSLOT', String(slot), state, peer);
    },
    async setSlotStable(node, slot) {
      await client(node).call('CLUSTER', 'SETSLOT', String(slot), 'STABLE');
    },
    async getKeysInSlot(node, slot, count) {
      return (await client(node).call('CLUSTER', 'GETKEYSINSLOT', String(slot), String(count))) as string[];
    },
    async countKeysInSlot(node, slot) {
      return Number(await client(node).call('CLUSTER', 'COUNTKEYSINSLOT', String(slot)));
    },
    async migrate(source, target, keys, opts) {
      const t = byId.get(target)!;
      const args = [t.host, String(t.port), '', '0', String(opts.timeoutMs), ...(opts.replace ? ['REPLACE'] : []), ...auth, 'KEYS', ...keys];
      const reply = await client(source).call('MIGRATE', ...args);
      if (reply !== 'OK' && reply !== 'NOKEY') throw new Error(`unexpected MIGRATE reply ${String(reply)}`);
    },
    async existingKeys(node, keys) {
      const p = client(node).pipeline();
      for (const k of keys) p.call('ASKING').exists(k);
      const results = (await p.exec()) ?? [];
      return keys.filter((_, i) => Number(results[i * 2 + 1]?.[1] ?? 0) > 0);
    },
    async keyBytes(node, key) {
      const c = client(node);
      const r = await c.pipeline().call('ASKING').call('MEMORY', 'USAGE', key).exec().catch(() => null);
      const v = r?.[1]?.[1];
      return typeof v === 'number' ? v : null;
    },
    async migrateStats(node) {
      const info = await client(node).info('commandstats').catch(() => '');
      const m = /cmdstat_migrate:calls=(\d+),usec=(\d+)/.exec(info);
      return m ? { calls: Number(m[1]), usec: Number(m[2]) } : info.includes('cmdstat_') ? { calls: 0, usec: 0 } : null;
    },
    async view(node) {
      return parseClusterNodes((await client(node).call('CLUSTER', 'NODES')) as string);
    },
    close() {
      watch.stop();
      for (const c of clients.values()) c.disconnect();
    },
  };
}

/**
 * A node that stops answering must fail the commands waiting on it rather than hang the run. Per-
 * command timers (ioredis `commandTimeout`) cost a timer per command — tens of thousands per run,
 * about a second of CPU on the bench — so one watchdog checks each node instead: commands pending
 * and no reply for `timeoutMs` → disconnect, which rejects them (the slots fail, the run stops).
 */
function watchNodes(clients: ReadonlyMap<string, Redis>, timeoutMs: number) {
  const state = new Map<string, { pending: number; lastReply: number }>();
  const timer = setInterval(() => {
    const now = Date.now();
    for (const [id, s] of state) if (s.pending > 0 && now - s.lastReply > timeoutMs) clients.get(id)?.disconnect();
  }, Math.min(1000, timeoutMs));
  timer.unref();
  const tracked = new Map<string, Redis>();
  return {
    /** The client, with every command counted in and out. */
    track(id: string, c: Redis): Redis {
      const hit = tracked.get(id);
      if (hit) return hit;
      const s = { pending: 0, lastReply: Date.now() };
      state.set(id, s);
      const settle = (): void => {
        s.pending--;
        s.lastReply = Date.now();
      };
      const proxy = new Proxy(c, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver) as unknown;
          if (prop !== 'call' && prop !== 'info') return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
          return (...args: unknown[]) => {
            if (s.pending === 0) s.lastReply = Date.now();
            s.pending++;
            const p = (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            p.then(settle, settle);
            return p;
          };
        },
      });
      tracked.set(id, proxy);
      return proxy;
    },
    stop(): void {
      clearInterval(timer);
    },
  };
}
