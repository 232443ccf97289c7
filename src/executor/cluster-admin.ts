import { migrateAuthArgs, type ConnectionOptions } from '../redis/connection.js';
import type { KeyName } from '../redis/key-name.js';
import { PipeConnection } from '../redis/pipe-connection.js';
import { DIGEST_KEYS_LUA } from '../redis/digest-script.js';
import { parseInfo } from '../redis/info.js';
import { probeKey } from '../redis/slot-probe.js';
import { parseClusterNodes } from '../topology/parse-cluster-nodes.js';
import type { ClusterNodeLine } from '../topology/types.js';
import { claimSlots, transactionsAllowed } from './claim-slots.js';
import { clientCalls } from './traffic.js';
import type { MemoryReading } from './capacity-watch.js';

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
  /**
   * `target` takes `slots`, which it imports, in one step (see claim-slots.ts): per slot, null or the
   * error of its claim.
   */
  claimSlots(target: string, slots: readonly number[]): Promise<(Error | null)[]>;
  /**
   * `behindMigrates`: on the connection the MIGRATEs use, so it runs after those already sent (a big
   * slot's next keys); else on the control connection, which never waits behind a MIGRATE.
   */
  getKeysInSlot(node: string, slot: number, count: number, behindMigrates?: boolean): Promise<KeyName[]>;
  countKeysInSlot(node: string, slot: number): Promise<number>;
  migrate(source: string, target: string, keys: readonly KeyName[], opts: MigrateOptions): Promise<void>;
  /** Which of `keys` exist on `node` in a slot it is importing (ASKING before each EXISTS). */
  existingKeys(node: string, keys: readonly KeyName[]): Promise<KeyName[]>;
  /** MEMORY USAGE of a key, null when unknown. */
  keyBytes(node: string, key: KeyName): Promise<number | null>;
  /**
   * Which of `keys` hold the same value on `target` (a slot it imports) as on `source`, by the
   * canonical digest (digest-script.ts: a DUMP differs for equal sets restored on another node). A
   * key whose digest either end will not give (an ACL without EVAL) is not the same.
   */
  sameCopies(source: string, target: string, keys: readonly KeyName[]): Promise<KeyName[]>;
  /**
   * Cumulative MIGRATE calls and server-side microseconds (INFO commandstats), or null when the
   * node does not say (ACL). Measured on the server, so client and scheduling delays stay out.
   */
  migrateStats(node: string): Promise<{ calls: number; usec: number } | null>;
  /** Client commands the node has answered (see traffic.ts), null when it does not say; absent in scripted admins. */
  clientCalls?(node: string): Promise<number | null>;
  /** The node's memory figures and evictions (INFO memory, INFO stats), null when it does not say; absent in scripted admins. */
  memory?(node: string): Promise<MemoryReading | null>;
  /** `connected_clients` of the node (INFO clients), null when it does not say; absent in scripted admins. */
  connectedClients?(node: string): Promise<number | null>;
  /**
   * Whether `source` still migrates `slot` to `target` as a master: true, false, or null when it cannot
   * tell (the closing burst then goes on; the SETSLOTs will tell).
   */
  stillMigrating(source: string, slot: number, target: string): Promise<boolean | null>;
  /** The node's own CLUSTER NODES view. */
  view(node: string): Promise<ClusterNodeLine[]>;
  /** The node's role by ROLE (answered while it loads), null when it cannot tell; absent in scripted admins. */
  role?(node: string): Promise<'master' | 'replica' | null>;
  close(): void;
}

/** A name decoded from bytes that are not UTF-8 holds U+FFFD where they were. */
const hasReplacementChar = (key: string): boolean => key.includes('\uFFFD');

/**
 * Two long-lived connections per node (see PipeConnection): the commands of one event-loop turn go
 * out in one write, so concurrent SETSLOTs for many slots reach a node together and Redis saves its
 * cluster config once for all of them. MIGRATEs (and what must run after them: a big slot's next
 * keys, the close-time check, the cost sample) have a connection of their own, so a SETSLOT or a
 * GETKEYSINSLOT never waits behind a source's MIGRATEs: Redis serves the other connection between
 * two of them, as it serves any client.
 */
export async function connectAdmin(nodes: readonly AdminNode[], masters: readonly string[], conn: ConnectionOptions, commandTimeoutMs: number): Promise<ClusterAdmin> {
  const clients = new Map<string, PipeConnection>();
  const streams = new Map<string, PipeConnection>();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const opened = await Promise.allSettled(
    nodes.flatMap((n) => [
      PipeConnection.open(n, conn, 'slotpilot-executor').then((c) => void clients.set(n.id, c)),
      PipeConnection.open(n, conn, 'slotpilot-migrate').then((c) => void streams.set(n.id, c)),
    ]),
  );
  const failed = opened.find((r) => r.status === 'rejected');
  if (failed) {
    for (const c of [...clients.values(), ...streams.values()]) c.destroy();
    throw failed.reason;
  }
  const watchdog = watchNodes([...clients.values(), ...streams.values()], commandTimeoutMs);
  // Whether each node lets this user run MULTI/EXEC (an ACL may not): claims go one by one where not.
  const claimModes = new Map(await Promise.all([...clients].map(async ([id, c]) => [id, { transactions: await transactionsAllowed(c) }] as const)));
  const pick = (from: ReadonlyMap<string, PipeConnection>, id: string): PipeConnection => {
    const c = from.get(id);
    if (!c) throw new Error(`no connection to node ${id.slice(0, 8)}`);
    return c;
  };
  const client = (id: string): PipeConnection => pick(clients, id);
  const stream = (id: string): PipeConnection => pick(streams, id);
  const auth = migrateAuthArgs(conn);
  /** INFO commandstats, or '' when the node refuses it (an ACL without INFO). */
  const commandstats = async (c: PipeConnection): Promise<string> => String(await c.call('INFO', 'commandstats').catch(() => ''));
  return {
    masters,
    async setSlot(node, slot, state, peer) {
      await client(node).call('CLUSTER', 'SETSLOT', String(slot), state, peer);
    },
    async setSlotStable(node, slot) {
      await client(node).call('CLUSTER', 'SETSLOT', String(slot), 'STABLE');
    },
    claimSlots(target, slots) {
      return claimSlots(client(target), target, slots, claimModes.get(target) ?? { transactions: false });
    },
    async getKeysInSlot(node, slot, count, behindMigrates = false) {
      const c = behindMigrates ? stream(node) : client(node);
      const args = ['CLUSTER', 'GETKEYSINSLOT', String(slot), String(count)];
      const keys = (await c.call(...args)) as string[];
      // Text is the cheap way (a Buffer per key cost a w1 rebalance about a tenth of its time), and UTF-8 names come
      // back from it exactly. Bytes that are not UTF-8 decode to U+FFFD, and such a name sent back
      // would be another key in another slot: then the fetch is asked again, as bytes.
      return keys.some(hasReplacementChar) ? ((await c.callBuffers(...args)) as Buffer[]) : keys;
    },
    async countKeysInSlot(node, slot) {
      return Number(await client(node).call('CLUSTER', 'COUNTKEYSINSLOT', String(slot)));
    },
    async migrate(source, target, keys, opts) {
      const t = byId.get(target)!;
      const reply = await stream(source).call('MIGRATE', t.host, String(t.port), '', '0', String(opts.timeoutMs), ...(opts.replace ? ['REPLACE'] : []), ...auth, 'KEYS', ...keys);
      if (reply !== 'OK' && reply !== 'NOKEY') throw new Error(`unexpected MIGRATE reply ${String(reply)}`);
    },
    async existingKeys(node, keys) {
      const c = client(node);
      // ASKING makes the next command see the slot this node is importing.
      const found = await Promise.all(
        keys.map((k) => {
          void c.call('ASKING').catch(() => undefined);
          return c.call('EXISTS', k).then(Number, () => 0);
        }),
      );
      return keys.filter((_, i) => found[i]! > 0);
    },
    async keyBytes(node, key) {
      const c = client(node);
      void c.call('ASKING').catch(() => undefined);
      const v = await c.call('MEMORY', 'USAGE', key).catch(() => null);
      return typeof v === 'number' ? v : null;
    },
    async sameCopies(source, target, keys) {
      const digests = (node: string): Promise<(string | null)[]> => {
        const c = client(node);
        return Promise.all(
          keys.map((k) => {
            void c.call('ASKING').catch(() => undefined);
            return c.call('EVAL', DIGEST_KEYS_LUA, '1', k).then((d) => (Array.isArray(d) && typeof d[0] === 'string' ? d[0] : null), () => null);
          }),
        );
      };
      const [here, there] = await Promise.all([digests(source), digests(target)]);
      return keys.filter((_, i) => here[i] !== null && here[i] === there[i]);
    },
    async migrateStats(node) {
      const info = await commandstats(stream(node));
      const m = /cmdstat_migrate:calls=(\d+),usec=(\d+)/.exec(info);
      return m ? { calls: Number(m[1]), usec: Number(m[2]) } : info.includes('cmdstat_') ? { calls: 0, usec: 0 } : null;
    },
    async clientCalls(node) {
      return clientCalls(await commandstats(client(node)));
    },
    async memory(node) {
      const c = client(node);
      const [mem, stats] = await Promise.all([c.call('INFO', 'memory'), c.call('INFO', 'stats')].map((p) => p.then(String, () => '')));
      const info = parseInfo(`${mem}\n${stats}`);
      const num = (k: string): number | null => (info.has(k) && Number.isFinite(Number(info.get(k))) ? Number(info.get(k)) : null);
      const used = num('used_memory');
      if (used === null) return null;
      return { used, max: num('maxmemory') ?? 0, policy: info.get('maxmemory_policy') ?? null, evicted: num('evicted_keys') ?? 0, expired: num('expired_keys') ?? 0 };
    },
    async connectedClients(node) {
      const value = parseInfo(String(await client(node).call('INFO', 'clients').catch(() => ''))).get('connected_clients');
      return value === undefined || !Number.isFinite(Number(value)) ? null : Number(value);
    },
    async stillMigrating(source, slot, target) {
      const t = byId.get(target);
      // EXISTS of an absent key in a slot the source migrates is answered ASK <slot> <target>.
      // Behind the slot's MIGRATEs, on their connection: the answer is about the slot once its keys are gone.
      const reply = await stream(source)
        .call('EXISTS', probeKey(slot))
        .then((r) => `:${String(r)}`, (error: Error) => error.message);
      const ask = /^ASK (\d+) (\S+)/.exec(reply);
      if (ask && t && ask[2] === t.addr) return true;
      if (/^(:|MOVED )/.test(reply)) return false;
      // Anything else (an ASK naming the target by another address, an ACL refusal): read the view.
      const me = parseClusterNodes(String(await stream(source).call('CLUSTER', 'NODES'))).find((l) => l.flags.includes('myself'));
      if (!me) return null;
      return me.role === 'master' && me.openSlots.some((o) => o.slot === slot && o.state === 'migrating' && o.peer === target);
    },
    async view(node) {
      return parseClusterNodes(String(await client(node).call('CLUSTER', 'NODES')));
    },
    async role(node) {
      const reply = await client(node).call('ROLE').catch(() => null);
      const role = Array.isArray(reply) ? reply[0] : null;
      return role === 'master' ? 'master' : role === 'slave' ? 'replica' : null;
    },
    close() {
      clearInterval(watchdog);
      for (const c of [...clients.values(), ...streams.values()]) c.destroy();
    },
  };
}

/**
 * A node that stops answering must fail the commands waiting on it rather than hang the run. One
 * watchdog checks every connection (a timer per command cost about a second of CPU per bench run):
 * replies awaited and none for `timeoutMs` → close it, which fails them (the slots fail, the run stops).
 */
function watchNodes(clients: readonly PipeConnection[], timeoutMs: number): NodeJS.Timeout {
  const timer = setInterval(() => {
    const now = Date.now();
    for (const c of clients) {
      if (c.pending > 0 && now - c.lastReplyAt > timeoutMs) c.destroy(`Connection is closed: no reply from ${c.addr} within ${Math.round(timeoutMs / 1000)} s`);
    }
  }, Math.min(1000, timeoutMs));
  timer.unref();
  return timer;
}
