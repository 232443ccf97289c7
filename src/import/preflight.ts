import type { ChainableCommander, Redis } from 'ioredis';
import { RefusedError } from '../errors.js';
import { connectNode, formatAddr, type ConnectionOptions, type HostPort } from '../redis/connection.js';
import { PipeConnection } from '../redis/pipe-connection.js';
import { readTopology } from '../topology/read-topology.js';
import { SLOT_COUNT, type Topology } from '../topology/types.js';
import { DIGEST_KEYS_LUA } from '../redis/digest-script.js';
import { VALUE_PARTS_LUA } from './value-digest.js';
import { openSource, type ImportSource } from './source.js';

/** A pipeline on a target, with the digest script (digest.ts) registered. */
export type DigestPipeline = ChainableCommander & { digestKeys(numKeys: 1, key: Buffer): DigestPipeline };

/** A master keys are written to, with its own long-lived connection. */
export interface ImportTarget {
  readonly id: string;
  readonly addr: string;
  readonly client: Redis;
  /** A raw connection for RESTORE batches (import --rdb: see restore-commands.ts), when opened. */
  readonly pipe?: PipeConnection;
}

/** The cluster side of an import, checked and connected: where each key goes. */
export interface ImportTargets {
  readonly seed: string;
  /** Master node id per slot: where each key goes. */
  readonly slotOwners: readonly string[];
  readonly targets: ReadonlyMap<string, ImportTarget>;
  /** Every node's address (a source must not be one of them). */
  readonly nodeAddrs: readonly (HostPort & { readonly id: string })[];
  /** The cluster as read (memory figures for the capacity check). */
  readonly topology: Topology;
  /** Close every connection. */
  close(): void;
}

/** Everything checked and connected before the first write; `startImport` only runs it. */
export interface PreparedImport extends ImportTargets {
  readonly source: ImportSource;
}

export interface PreflightInput {
  readonly seed: HostPort;
  readonly connection: ConnectionOptions;
  readonly from: HostPort;
  readonly fromConnection: ConnectionOptions;
  readonly db: number;
}

/** The same machine under another name would slip past an address comparison; these names are common. */
export function sameAddr(a: HostPort, b: HostPort): boolean {
  const norm = (h: string): string => (h === 'localhost' || h === '::1' || h === '0.0.0.0' ? '127.0.0.1' : h);
  return a.port === b.port && norm(a.host) === norm(b.host);
}

/**
 * Read the cluster (prepareTargets) and the source, and refuse a source that is one of the cluster's
 * nodes (or any cluster node: openSource) before writing anything.
 */
export async function prepareImport(input: PreflightInput): Promise<PreparedImport> {
  const cluster = await prepareTargets(input.seed, input.connection);
  const self = cluster.nodeAddrs.find((n) => sameAddr(n, input.from));
  if (self) {
    cluster.close();
    throw new RefusedError(`--from ${formatAddr(input.from)} is a node of this cluster (${self.id.slice(0, 8)}); import reads from a standalone Redis`);
  }
  let source: ImportSource;
  try {
    source = await openSource(input.from, input.fromConnection, input.db);
  } catch (error) {
    cluster.close();
    throw error;
  }
  return {
    ...cluster,
    source,
    close: () => {
      source.client.disconnect();
      cluster.close();
    },
  };
}

/**
 * Read the cluster and refuse, before writing anything, what would make an import unsafe: slots
 * without an owner (keys would have nowhere to go), open slots (keys would be redirected mid-import:
 * run `fix`), or a master that cannot be reached; then connect to every master.
 */
export async function prepareTargets(seed: HostPort, connection: ConnectionOptions, opts: { readonly pipes?: boolean } = {}): Promise<ImportTargets> {
  const topology = await readTopology(seed, connection, { keys: false });
  const unowned = topology.slotOwners.filter((o) => !o).length;
  if (unowned) throw new RefusedError(`${unowned} of ${SLOT_COUNT} slots have no owner; assign them before importing (keys in them would have nowhere to go)`);
  if (topology.openSlots.length) {
    const o = topology.openSlots[0]!;
    throw new RefusedError(`slot ${o.slot} is open (${o.state}) on ${o.node.slice(0, 8)}${topology.openSlots.length > 1 ? ` and ${topology.openSlots.length - 1} more` : ''}; close it first with: slotpilot fix --seed ${topology.seed}`);
  }
  const masters = topology.nodes.filter((n) => n.role === 'master' && n.slots.length);
  const down = masters.find((m) => !m.reachable);
  if (down) throw new RefusedError(`master ${down.addr} (${down.id.slice(0, 8)}) is unreachable; every master must be up to import`);

  const targets = new Map<string, ImportTarget>();
  const close = (): void => {
    for (const t of targets.values()) {
      t.client.disconnect();
      t.pipe?.destroy();
    }
  };
  try {
    await Promise.all(
      masters.map(async (m) => {
        const client = await connectNode({ host: m.host, port: m.port }, connection);
        client.defineCommand('digestKeys', { lua: DIGEST_KEYS_LUA });
        client.defineCommand('valueParts', { lua: VALUE_PARTS_LUA, numberOfKeys: 1 });
        const pipe = opts.pipes ? await PipeConnection.open({ host: m.host, port: m.port }, connection, 'slotpilot-import').catch((error: unknown) => {
          client.disconnect();
          throw error;
        }) : undefined;
        targets.set(m.id, { id: m.id, addr: m.addr, client, pipe });
      }),
    );
  } catch (error) {
    close();
    throw error;
  }
  const nodeAddrs = topology.nodes.map((n) => ({ host: n.host, port: n.port, id: n.id }));
  return { seed: topology.seed, slotOwners: topology.slotOwners as string[], targets, nodeAddrs, topology, close };
}
