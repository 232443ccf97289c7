import type { Redis } from 'ioredis';
import { UnreachableError } from '../errors.js';
import { connectNode, describeConnectError, formatAddr, type ConnectionOptions, type HostPort } from '../redis/connection.js';
import { parseClusterNodes, replicasOf, slotOwnersOf } from './parse-cluster-nodes.js';
import { SLOT_COUNT, type ClusterNodeLine, type Disagreement, type OpenSlot, type Topology, type TopologyNode } from './types.js';
import { formatSlotRanges } from './slot-ranges.js';
import { parseInfo } from '../redis/info.js';

export interface ReadOptions {
  /** Count keys in every slot (`CLUSTER COUNTKEYSINSLOT`, pipelined per master). Default true. */
  readonly keys?: boolean;
}

/** What one live node says about itself and the cluster. */
interface NodeView {
  readonly lines: ClusterNodeLine[];
  readonly clusterState: string;
  readonly usedMemory?: number;
  readonly maxMemory?: number;
  readonly maxMemoryPolicy?: string;
  readonly keys: number;
  readonly redisVersion?: string;
}

async function readClusterNodesText(client: Redis, addr: string): Promise<string> {
  try {
    return (await client.call('CLUSTER', 'NODES')) as string;
  } catch (error) {
    const msg = (error as Error).message ?? '';
    if (/cluster support disabled/i.test(msg)) throw new UnreachableError(addr, 'not a cluster node (cluster support disabled)');
    throw new UnreachableError(addr, describeConnectError(error));
  }
}

async function readNodeView(client: Redis, addr: string): Promise<NodeView> {
  const text = await readClusterNodesText(client, addr);
  const [clusterInfo, info, keys] = await Promise.all([
    client.call('CLUSTER', 'INFO') as Promise<string>,
    // INFO sections may be refused to a least-privilege ACL user; figures are then unknown.
    client.info('server').then(
      async (server) => `${server}\n${await client.info('memory')}`,
      () => '',
    ),
    client.dbsize(),
  ]);
  const infoMap = parseInfo(info);
  const usedMemory = infoMap.has('used_memory') ? Number(infoMap.get('used_memory')) : undefined;
  const maxMemory = infoMap.has('maxmemory') ? Number(infoMap.get('maxmemory')) : undefined;
  return {
    lines: parseClusterNodes(text),
    clusterState: parseInfo(clusterInfo).get('cluster_state') ?? 'unknown',
    keys,
    ...(usedMemory !== undefined ? { usedMemory } : {}),
    ...(maxMemory !== undefined ? { maxMemory } : {}),
    ...(infoMap.has('maxmemory_policy') ? { maxMemoryPolicy: infoMap.get('maxmemory_policy') } : {}),
    ...(infoMap.has('redis_version') ? { redisVersion: infoMap.get('redis_version') } : {}),
  };
}

/**
 * Counts for a node's slots in a few round trips: the loop runs inside the node, so 5,461 counts cost
 * it a few milliseconds instead of 5,461 commands through this process (the read comes before every
 * rebalance, on its clock). Redis 7 lets scripts call CLUSTER COUNTKEYSINSLOT. A script holds the
 * node's thread, so each covers at most COUNT_CHUNK slots and they go one after another: live
 * clients wait about a millisecond behind one, not the 5–7 ms one script for 5,461 slots took.
 */
const COUNT_SCRIPT = `local r = {}
for i = 1, #ARGV, 2 do
  for s = tonumber(ARGV[i]), tonumber(ARGV[i + 1]) do r[#r + 1] = redis.call('CLUSTER', 'COUNTKEYSINSLOT', s) end
end
return r`;

const COUNT_CHUNK = 1024;

/** `ranges` cut into pieces of at most `size` slots each. */
export function chunkRanges(ranges: readonly (readonly [number, number])[], size: number): [number, number][][] {
  const chunks: [number, number][][] = [];
  let chunk: [number, number][] = [];
  let room = size;
  for (const [start, end] of ranges) {
    for (let s = start; s <= end; ) {
      const e = Math.min(end, s + room - 1);
      chunk.push([s, e]);
      room -= e - s + 1;
      s = e + 1;
      if (room === 0) {
        chunks.push(chunk);
        chunk = [];
        room = size;
      }
    }
  }
  if (chunk.length) chunks.push(chunk);
  return chunks;
}

async function countByScript(client: Redis, ranges: readonly (readonly [number, number])[], into: number[]): Promise<boolean> {
  for (const chunk of chunkRanges(ranges, COUNT_CHUNK)) {
    const counts = await client.call('EVAL', COUNT_SCRIPT, '0', ...chunk.flat().map(String)).catch(() => null);
    const slots = chunk.flatMap(([start, end]) => Array.from({ length: end - start + 1 }, (_, i) => start + i));
    if (!Array.isArray(counts) || counts.length !== slots.length) return false;
    counts.forEach((c, i) => (into[slots[i]!] = Number(c)));
  }
  return true;
}

async function countKeysPerSlot(client: Redis, ranges: readonly (readonly [number, number])[], into: number[]): Promise<void> {
  if (await countByScript(client, ranges, into)) return;
  const slots = ranges.flatMap(([start, end]) => Array.from({ length: end - start + 1 }, (_, i) => start + i));
  // Scripts refused (an ACL without @scripting, an older server): one pipelined command per slot.
  const pipeline = client.pipeline();
  for (const slot of slots) pipeline.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot));
  const results = (await pipeline.exec()) ?? [];
  results.forEach(([err, count], i) => {
    if (!err) into[slots[i]!] = Number(count);
  });
}

/** Where a node's view of slot ownership or membership differs from the seed's. */
function compareViews(seedOwners: readonly (string | null)[], seedIds: ReadonlySet<string>, node: string, view: NodeView): Disagreement[] {
  const found: Disagreement[] = [];
  const owners = slotOwnersOf(view.lines);
  const differing: number[] = [];
  for (let slot = 0; slot < SLOT_COUNT; slot++) if (owners[slot] !== seedOwners[slot]) differing.push(slot);
  if (differing.length) {
    found.push({ node, message: `disagrees with the seed on the owner of slots ${formatSlotRanges(differing)}`, slots: differing });
  }
  const ids = new Set(view.lines.map((l) => l.id));
  const missing = [...seedIds].filter((id) => !ids.has(id));
  const extra = [...ids].filter((id) => !seedIds.has(id));
  if (missing.length) found.push({ node, message: `does not know node(s) ${missing.map((id) => id.slice(0, 8)).join(', ')}` });
  if (extra.length) found.push({ node, message: `knows node(s) the seed does not: ${extra.map((id) => id.slice(0, 8)).join(', ')}` });
  return found;
}

/** Run `fn` over `items`, at most `limit` at a time. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Read the cluster from a seed: discover every node, ask each reachable one for its own view, figures
 * and (for masters) per-slot key counts, and merge it all into one Topology. Disagreements between
 * views are recorded, not thrown; only an unreachable or non-cluster seed throws (UnreachableError).
 */
export async function readTopology(seed: HostPort, conn: ConnectionOptions, options: ReadOptions = {}): Promise<Topology> {
  const seedAddr = formatAddr(seed);
  const seedClient = await connectNode(seed, conn);
  const clients = new Map<string, Redis>();
  try {
    const seedView = await readNodeView(seedClient, seedAddr);
    const seedLines = seedView.lines;
    const seedOwners = slotOwnersOf(seedLines);
    const seedIds = new Set(seedLines.map((l) => l.id));
    const myselfId = seedLines.find((l) => l.flags.includes('myself'))?.id;
    if (myselfId) clients.set(myselfId, seedClient);

    const views = new Map<string, NodeView>();
    if (myselfId) views.set(myselfId, seedView);
    const others = seedLines.filter((l) => l.id !== myselfId && l.port > 0 && l.host && !l.flags.includes('noaddr'));
    await mapLimit(others, 32, async (line) => {
      try {
        const client = await connectNode({ host: line.host, port: line.port }, { ...conn, connectTimeoutMs: conn.connectTimeoutMs ?? 2000 });
        clients.set(line.id, client);
        views.set(line.id, await readNodeView(client, line.addr));
      } catch {
        // Recorded as unreachable below; `check` reports it.
      }
    });

    const disagreements: Disagreement[] = [];
    for (const [id, view] of views) {
      if (id !== myselfId) disagreements.push(...compareViews(seedOwners, seedIds, id, view));
    }
    const slotKeys = options.keys === false ? null : new Array<number>(SLOT_COUNT).fill(0);
    if (slotKeys) {
      await mapLimit(
        seedLines.filter((l) => l.role === 'master' && l.slots.length && clients.has(l.id)),
        8,
        (l) => countKeysPerSlot(clients.get(l.id)!, l.slots, slotKeys),
      );
    }

    const replicas = replicasOf(seedLines);
    const openSlots: OpenSlot[] = [];
    const nodes: TopologyNode[] = seedLines.map((line) => {
      const view = views.get(line.id);
      // A node's own line is the truth about its flags, epoch and open slots.
      const own = view?.lines.find((l) => l.flags.includes('myself'));
      const merged = own ? { ...line, flags: line.flags, openSlots: own.openSlots, configEpoch: own.configEpoch } : line;
      openSlots.push(...merged.openSlots.map((o) => ({ ...o, node: line.id })));
      return {
        ...merged,
        reachable: view !== undefined,
        replicas: replicas.get(line.id) ?? [],
        ...(view
          ? {
              clusterState: view.clusterState,
              keys: view.keys,
              ...(view.usedMemory !== undefined ? { usedMemory: view.usedMemory } : {}),
              ...(view.maxMemory !== undefined ? { maxMemory: view.maxMemory } : {}),
              ...(view.maxMemoryPolicy ? { maxMemoryPolicy: view.maxMemoryPolicy } : {}),
              ...(view.redisVersion ? { redisVersion: view.redisVersion } : {}),
            }
          : {}),
      };
    });
    return {
      seed: seedAddr,
      readAt: new Date().toISOString(),
      nodes,
      slotOwners: seedOwners,
      slotKeys,
      openSlots,
      disagreements,
    };
  } finally {
    seedClient.disconnect();
    for (const c of clients.values()) c.disconnect();
  }
}
