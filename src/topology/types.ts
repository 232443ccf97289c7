/** Number of hash slots in every Redis Cluster. */
export const SLOT_COUNT = 16384;

/** An inclusive range of hash slots, `[start, end]`. */
export type SlotRange = readonly [start: number, end: number];

/** Flags a node can carry in `CLUSTER NODES` output. */
export type NodeFlag =
  | 'myself'
  | 'master'
  | 'slave'
  | 'fail?'
  | 'fail'
  | 'handshake'
  | 'noaddr'
  | 'nofailover'
  | 'noflags';

/** A slot marked open on a node: `[slot->-id]` (migrating) or `[slot-<-id]` (importing). */
export interface OpenSlotMarker {
  readonly slot: number;
  readonly state: 'migrating' | 'importing';
  /** Node id of the other side: the target when migrating, the source when importing. */
  readonly peer: string;
}

/** One line of `CLUSTER NODES`, as seen by one node. Pure data, no I/O. */
export interface ClusterNodeLine {
  readonly id: string;
  /** `host:port` clients connect to. Empty host means the node does not know its own address yet. */
  readonly addr: string;
  readonly host: string;
  readonly port: number;
  readonly busPort: number;
  /** Announced hostname (Redis 7 `ip:port@cport,hostname`), when present. */
  readonly hostname?: string;
  readonly flags: readonly NodeFlag[];
  readonly role: 'master' | 'replica';
  /** Master's node id for replicas; null for masters. */
  readonly masterId: string | null;
  readonly pingSent: number;
  readonly pongRecv: number;
  readonly configEpoch: number;
  readonly linkState: 'connected' | 'disconnected';
  /** Owned slot ranges (masters only), sorted. */
  readonly slots: readonly SlotRange[];
  /** Importing/migrating markers; only the node that has them reports them (the `myself` line). */
  readonly openSlots: readonly OpenSlotMarker[];
}

/** A node of the cluster, merged from every view, with live figures where they were read. */
export interface TopologyNode extends ClusterNodeLine {
  /** Whether slotpilot could talk to this node while reading. */
  readonly reachable: boolean;
  /** `cluster_state` from `CLUSTER INFO` (`ok`/`fail`), when reachable. */
  readonly clusterState?: string;
  /** Replica node ids (masters only). */
  readonly replicas: readonly string[];
  /** `used_memory` from `INFO memory`, bytes. */
  readonly usedMemory?: number;
  /** `maxmemory` from `INFO memory`, bytes (0: no limit). */
  readonly maxMemory?: number;
  /** `maxmemory_policy` from `INFO memory` (`noeviction`, `allkeys-lru`, …). */
  readonly maxMemoryPolicy?: string;
  /** Keys in db 0 (`DBSIZE`). */
  readonly keys?: number;
  /** Redis version from `INFO server`. */
  readonly redisVersion?: string;
}

/** An open slot found on a live node (its own view). */
export interface OpenSlot extends OpenSlotMarker {
  /** Node id that reports the marker. */
  readonly node: string;
}

/** Something the nodes do not agree on, recorded rather than thrown. */
export interface Disagreement {
  /** The node whose view differs from the seed's. */
  readonly node: string;
  readonly message: string;
  /** Slots concerned, when the disagreement is about slot ownership. */
  readonly slots?: readonly number[];
}

/**
 * The cluster as read at one moment. Plain data: serialisable (see snapshot) and the only input the
 * planner needs.
 */
export interface Topology {
  /** The address the reader started from. */
  readonly seed: string;
  /** When it was read (ISO-8601), or null when parsed offline. */
  readonly readAt: string | null;
  readonly nodes: readonly TopologyNode[];
  /** Owner node id of each slot (length 16384), null when no master claims it. */
  readonly slotOwners: readonly (string | null)[];
  /** Keys in each slot (length 16384), or null when unknown (offline `cluster nodes` dump). */
  readonly slotKeys: readonly number[] | null;
  readonly openSlots: readonly OpenSlot[];
  readonly disagreements: readonly Disagreement[];
}
