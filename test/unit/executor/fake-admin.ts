/**
 * A scripted, in-memory stand-in for the Redis nodes the executor talks to (unit tests only; the
 * acceptance tests use real clusters). It keeps the state the slot protocol changes — owners,
 * IMPORTING/MIGRATING markers, keys per node — enforces the rules Redis enforces (BUSYKEY, keys of
 * one slot per MIGRATE, no NODE on a source that still holds keys), and records what it was asked.
 */
import calculateSlot from 'cluster-key-slot';
import type { ClusterAdmin, MigrateOptions } from '../../../src/executor/cluster-admin.js';
import { PLAN_VERSION, type Move, type Plan } from '../../../src/planner/plan-schema.js';
import { parseClusterNodes, topologyFromClusterNodes } from '../../../src/topology/parse-cluster-nodes.js';
import { toSlotRanges } from '../../../src/topology/slot-ranges.js';
import type { Topology } from '../../../src/topology/types.js';

export const ids = ['a', 'b', 'c', 'd'].map((c) => c.repeat(40));

export interface FakeNode {
  readonly id: string;
  /** Owner of each slot in this node's own view. */
  readonly owners: Map<number, string>;
  readonly migrating: Map<number, string>;
  readonly importing: Map<number, string>;
  readonly keys: Map<string, string>;
}

export class FakeCluster {
  readonly nodes = new Map<string, FakeNode>();
  /** Commands in order, as `node command args`. */
  readonly log: string[] = [];
  /** Most MIGRATEs in flight at once per source. */
  readonly peakMigrates = new Map<string, number>();
  #migrating = new Map<string, number>();
  /** Roles ROLE answers with (default master): a test turns a source into a replica. */
  readonly roles = new Map<string, 'master' | 'replica'>();
  /** Claim transactions, as `target slots` (see claimSlots). */
  readonly claims: string[] = [];
  /** Most slots open (IMPORTING) at once on any node, and per node. */
  peakOpen = 0;
  /** Nodes that miss the targets' broadcast claims (a bus that lags): only a direct SETSLOT tells them. */
  readonly deaf = new Set<string>();
  /** Called before each command; throw to inject a failure. */
  before: (node: string, command: string, args: readonly (string | number)[]) => void = () => {};

  constructor(ownership: Readonly<Record<string, readonly [number, number]>>, keysPerSlot: (slot: number) => number) {
    for (const id of Object.keys(ownership)) this.nodes.set(id, { id, owners: new Map(), migrating: new Map(), importing: new Map(), keys: new Map() });
    for (const [id, [a, b]] of Object.entries(ownership)) {
      for (let s = a; s <= b; s++) for (const n of this.nodes.values()) n.owners.set(s, id);
    }
    // Keys named so that they hash to the slot they are counted in.
    for (let s = 0; s < 16384; s++) {
      const want = keysPerSlot(s);
      if (!want) continue;
      const owner = this.nodes.get(this.nodes.values().next().value!.owners.get(s)!)!;
      for (const k of keysForSlot(s, want)) owner.keys.set(k, `v:${k}`);
    }
  }

  node(id: string): FakeNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no connection to node ${id.slice(0, 8)}`);
    return n;
  }

  keysInSlot(id: string, slot: number): string[] {
    return [...this.node(id).keys.keys()].filter((k) => calculateSlot(k) === slot).sort();
  }

  /** `CLUSTER NODES` as `viewer` sees it: owners from its own map, markers on its own line only. */
  clusterNodes(viewer = this.nodes.keys().next().value!): string {
    const v = this.node(viewer);
    return [...this.nodes.values()]
      .map((n, i) => {
        const ranges = toSlotRanges([...v.owners].filter(([, o]) => o === n.id).map(([s]) => s)).map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`));
        const open = n === v ? [...[...n.migrating].map(([s, p]) => `[${s}->-${p}]`), ...[...n.importing].map(([s, p]) => `[${s}-<-${p}]`)] : [];
        return `${n.id} 127.0.0.1:${7000 + i}@${17000 + i} ${n === v ? 'myself,' : ''}master - 0 0 ${i + 1} connected ${[...ranges, ...open].join(' ')}`.trim();
      })
      .join('\n');
  }

  topology(): Topology {
    return topologyFromClusterNodes(this.clusterNodes(), '127.0.0.1:7000');
  }

  admin(): ClusterAdmin {
    const call = (node: string, command: string, ...args: (string | number)[]) => {
      this.log.push(`${node.slice(0, 1)} ${command} ${args.join(' ')}`);
      this.before(node, command, args);
      return this.node(node);
    };
    const tick = () => new Promise<void>((r) => setImmediate(r));
    const admin: ClusterAdmin = {
      masters: [...this.nodes.keys()],
      setSlot: async (node, slot, state, peer) => {
        await tick();
        const n = call(node, 'SETSLOT', slot, state, peer);
        if (state === 'IMPORTING') {
          n.importing.set(slot, peer);
          const open = Math.max(...[...this.nodes.values()].map((x) => x.importing.size));
          this.peakOpen = Math.max(this.peakOpen, open);
        } else if (state === 'MIGRATING') n.migrating.set(slot, peer);
        else {
          if (n.migrating.has(slot) && this.keysInSlot(node, slot).length) throw new Error(`ERR Can't assign hashslot ${slot} to a different node while I still hold keys for this hash slot.`);
          // A target claiming a slot it imported bumps its epoch and broadcasts the claim (Redis'
          // clusterBroadcastPong): the nodes with no marker on the slot take it; the source, still
          // migrating it, is told by the executor.
          if (peer === node && n.importing.has(slot)) for (const o of this.nodes.values()) if (o !== n && !this.deaf.has(o.id) && !o.migrating.has(slot) && !o.importing.has(slot)) o.owners.set(slot, peer);
          n.importing.delete(slot);
          n.migrating.delete(slot);
          n.owners.set(slot, peer);
        }
      },
      // One SETSLOT NODE per slot, in order (the transaction's effect); `claims` counts the transactions.
      claimSlots: async (node, slots) => {
        this.claims.push(`${node.slice(0, 1)} ${slots.join(',')}`);
        const results: (Error | null)[] = [];
        for (const slot of slots) results.push(await admin.setSlot(node, slot, 'NODE', node).then(() => null, (error: Error) => error));
        return results;
      },
      setSlotStable: async (node, slot) => {
        const n = call(node, 'SETSLOT', slot, 'STABLE');
        n.importing.delete(slot);
        n.migrating.delete(slot);
      },
      getKeysInSlot: async (node, slot, count) => {
        await tick();
        call(node, 'GETKEYSINSLOT', slot, count);
        return this.keysInSlot(node, slot).slice(0, count);
      },
      countKeysInSlot: async (node, slot) => {
        await tick();
        call(node, 'COUNTKEYSINSLOT', slot);
        return this.keysInSlot(node, slot).length;
      },
      migrate: async (source, target, names, opts: MigrateOptions) => {
        // The scripted nodes hold text names; the executor's are text here too (its Buffers come from real nodes).
        const keys = names.map(String);
        const inFlight = (this.#migrating.get(source) ?? 0) + 1;
        this.#migrating.set(source, inFlight);
        this.peakMigrates.set(source, Math.max(this.peakMigrates.get(source) ?? 0, inFlight));
        try {
          await tick();
          const s = call(source, 'MIGRATE', target, opts.replace ? 'REPLACE' : '', ...keys);
          const t = this.node(target);
          if (new Set(keys.map((k) => calculateSlot(k))).size > 1) throw new Error("CROSSSLOT Keys in request don't hash to the same slot");
          for (const k of keys) if (s.keys.has(k) && t.keys.has(k) && !opts.replace) throw new Error('ERR Target instance replied with error: BUSYKEY Target key name already exists.');
          for (const k of keys) {
            const v = s.keys.get(k);
            if (v === undefined) continue;
            t.keys.set(k, v);
            s.keys.delete(k);
          }
        } finally {
          this.#migrating.set(source, (this.#migrating.get(source) ?? 1) - 1);
        }
      },
      existingKeys: async (node, keys) => keys.filter((k) => this.node(node).keys.has(String(k))),
      keyBytes: async () => 123,
      sameCopies: async (source, target, names) => {
        const keys = names.map(String);
        await tick();
        const s = call(source, 'EVAL-DIGEST', ...keys);
        const t = this.node(target);
        return keys.filter((k) => s.keys.has(k) && s.keys.get(k) === t.keys.get(k));
      },
      migrateStats: async () => null,
      stillMigrating: async (source, slot, target) => {
        await tick();
        const n = call(source, 'EXISTS-PROBE', slot);
        return n.migrating.get(slot) === target;
      },
      view: async (node) => {
        await tick();
        this.before(node, 'NODES', []); // a read: not in the log the protocol tests compare
        return parseClusterNodes(this.clusterNodes(node));
      },
      role: async (node) => this.roles.get(node) ?? 'master',
      close: () => {},
    };
    return admin;
  }
}

/** A hash tag per slot, so `{tag}:i` keys land in that slot (found by search once). */
const tags = new Map<number, string>();
export function keysForSlot(slot: number, n: number): string[] {
  for (let i = tags.size * 0; !tags.has(slot); i++) {
    const t = `t${i}`;
    const s = calculateSlot(t);
    if (!tags.has(s)) tags.set(s, t);
  }
  return Array.from({ length: n }, (_, i) => `{${tags.get(slot)}}:${i}`);
}

/** A schema-valid plan of `moves` between the fake's nodes. */
export function planOf(moves: readonly Pick<Move, 'slot' | 'from' | 'to'>[], keys = 0): Plan {
  const zero = { slots: 0, keys: 0, bytes: 0 };
  return {
    kind: 'slotpilot-plan',
    version: PLAN_VERSION,
    strategy: { name: 'move', by: 'slots', options: {} },
    source: { from: '127.0.0.1:7000', masters: ids.map((id, i) => ({ id, addr: `127.0.0.1:${7000 + i}` })), keysKnown: true },
    moves: moves.map((m) => ({ ...m, keys, bytes: 0 })),
    summary: { nodes: [], moved: { ...zero, slots: moves.length }, estimatedSeconds: 0, notes: [] },
  };
}
