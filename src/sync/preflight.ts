import { RefusedError, UnreachableError, UsageError } from '../errors.js';
import { sameAddr } from '../import/preflight.js';
import { prepareRdbImport, type PreparedRdbImport } from '../import/rdb-targets.js';
import { enforceCapacity, projectImport, type NodeCapacity } from '../planner/capacity.js';
import { connectNode, describeConnectError, formatAddr, type ConnectionOptions, type HostPort } from '../redis/connection.js';
import { parseInfo } from '../redis/info.js';
import { readTopology } from '../topology/read-topology.js';
import { parseCommandTable, type CommandTable } from './command-table.js';
import type { SyncSourceNode } from './run-sync.js';
import type { ApplyTarget } from './stream-applier.js';
import type { Checkpoint } from './sync-source.js';
import { journalExists, readSyncJournal } from './sync-journal.js';
import { estimateFullSync, type SyncEstimate } from './time-model.js';

export interface SyncPreflightInput {
  readonly seed: HostPort;
  readonly connection: ConnectionOptions;
  readonly from: HostPort;
  readonly fromConnection: ConnectionOptions;
  readonly db: number;
  readonly journal: string;
  readonly ignoreCapacity: boolean;
  readonly say: (message: string) => void;
}

/** Everything checked and connected before the first PSYNC; `startSync` only runs it. */
export interface PreparedSync {
  /** `--from` as given. */
  readonly from: string;
  readonly fromConnection: ConnectionOptions;
  /** The primaries to replicate: `--from` itself, or every master of its cluster. */
  readonly sources: readonly SyncSourceNode[];
  readonly clusterSource: boolean;
  readonly targets: PreparedRdbImport;
  readonly applyTargets: ReadonlyMap<string, ApplyTarget>;
  readonly table: CommandTable;
  /** Resume points from the journal, by source `host:port`. */
  readonly resume: ReadonlyMap<string, Checkpoint>;
  readonly estimate: SyncEstimate & { readonly keys: number; readonly usedMemory: number };
  /** Each target master's projection with what the sources bring. */
  readonly capacity: readonly NodeCapacity[];
  close(): void;
}

const num = (m: Map<string, string>, k: string): number => Number(m.get(k) ?? 0) || 0;

/** Keys of database `db` from `INFO keyspace` (`db0:keys=10,expires=0,…`). */
function keysOf(info: Map<string, string>, db: number): number {
  const m = /keys=(\d+)/.exec(info.get(`db${db}`) ?? '');
  return m ? Number(m[1]) : 0;
}

/** A source's client, opened again when it was lost (a restarted source): INFO must keep working. */
async function openSourceNode(addr: HostPort, conn: ConnectionOptions): Promise<SyncSourceNode> {
  const node: SyncSourceNode = {
    name: formatAddr(addr),
    addr,
    client: await connectNode(addr, conn),
    async ready() {
      if (node.client.status === 'ready') return node.client;
      node.client.disconnect();
      node.client = await connectNode(addr, conn);
      return node.client;
    },
    getKeys: async (args) => (await (await node.ready()).callBuffer('COMMAND', 'GETKEYS', ...args)) as Buffer[],
  };
  return node;
}

/**
 * Read the cluster and the source and refuse, before anything is written, what a sync must not
 * start: a source that is a node of the target cluster (or of the same cluster), a database a
 * cluster source does not have, a journal of another source, targets without room for what the
 * sources hold (unless `ignoreCapacity`). A source that cannot be reached is exit 1.
 */
export async function prepareSync(input: SyncPreflightInput): Promise<PreparedSync> {
  const targets = await prepareRdbImport(input.seed, input.connection);
  const opened: SyncSourceNode[] = [];
  const close = (): void => {
    for (const s of opened) s.client.disconnect();
    targets.close();
  };
  try {
    const fromName = formatAddr(input.from);
    const self = targets.nodeAddrs.find((n) => sameAddr(n, input.from));
    if (self) throw new RefusedError(`--from ${fromName} is a node of the target cluster (${self.id.slice(0, 8)}); sync copies from another deployment`);
    const first = await openSourceNode(input.from, input.fromConnection);
    opened.push(first);
    const info = parseInfo(await first.client.info().catch((error: Error) => {
      throw new UnreachableError(fromName, describeConnectError(error));
    }));
    const clusterSource = info.get('cluster_enabled') === '1';
    let sources: SyncSourceNode[] = [first];
    if (clusterSource) {
      if (input.db !== 0) throw new UsageError(`--db ${input.db}: ${fromName} is a cluster node, and a cluster has only database 0`);
      const topo = await readTopology(input.from, input.fromConnection, { keys: false });
      const ids = new Set(targets.nodeAddrs.map((n) => n.id));
      if (topo.nodes.some((n) => ids.has(n.id))) throw new RefusedError(`--from ${fromName} is a node of the target cluster; sync copies from another deployment`);
      const masters = topo.nodes.filter((n) => n.role === 'master' && n.slots.length);
      const down = masters.find((m) => !m.reachable);
      if (down) throw new RefusedError(`source master ${down.addr} is unreachable; every master of the source cluster must be up to sync it`);
      sources = [];
      for (const m of masters) {
        const addr = { host: m.host, port: m.port };
        const node = sameAddr(addr, input.from) ? first : await openSourceNode(addr, input.fromConnection);
        if (node !== first) opened.push(node);
        sources.push(node);
      }
    } else {
      await first.client.select(input.db).catch((error: Error) => {
        throw new UsageError(`--from ${fromName} has no database ${input.db} (${error.message.split('\n')[0]})`);
      });
    }
    const table = parseCommandTable(await first.client.call('COMMAND'));
    let keys = 0;
    let usedMemory = 0;
    let lastBgsaveSec = -1;
    for (const s of sources) {
      const i = s === first ? info : parseInfo(await s.client.info());
      keys += keysOf(i, input.db);
      usedMemory += num(i, 'used_memory');
      lastBgsaveSec = Math.max(lastBgsaveSec, i.has('rdb_last_bgsave_time_sec') ? num(i, 'rdb_last_bgsave_time_sec') : -1);
    }
    // Sources sync in parallel: the estimate is the largest one's, roughly the total spread over them.
    const each = estimateFullSync({ keys: keys / sources.length, usedMemory: usedMemory / sources.length, lastBgsaveSec });
    const capacity = checkSyncCapacity(targets, usedMemory, input.ignoreCapacity, input.say);
    const resume = journalExists(input.journal) ? readSyncJournal(input.journal, fromName, input.db).checkpoints : new Map<string, Checkpoint>();
    const applyTargets = new Map<string, ApplyTarget>([...targets.targets].map(([id, t]) => [id, { addr: t.addr, pipe: t.pipe! }]));
    return { from: fromName, fromConnection: input.fromConnection, sources, clusterSource, targets, applyTargets, table, resume, estimate: { ...each, keys, usedMemory }, capacity, close };
  } catch (error) {
    close();
    throw error;
  }
}

/**
 * The capacity pre-flight of a sync: the sources' used_memory spread over the target masters by
 * their share of slots (keys land by slot), each master's projection against 95% of its maxmemory
 * (planner/capacity.ts). Refused, nothing written, unless `ignore`, which only says so.
 */
export function checkSyncCapacity(targets: Pick<PreparedRdbImport, 'topology'>, usedMemory: number, ignore: boolean, say: (m: string) => void): NodeCapacity[] {
  const rows = projectImport(targets.topology, usedMemory);
  enforceCapacity(rows, ignore, say);
  return rows;
}
