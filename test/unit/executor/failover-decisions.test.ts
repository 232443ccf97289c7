/**
 * A source that failed over mid-run (found by the fault suite, scenario 3): Redis drops the old
 * master's MIGRATING marker as it turns replica, and the target keeps importing from the old id
 * (possibly still naming it as owner in its own view). resume and fix continue from the new master.
 */
import { describe, expect, it } from 'vitest';
import { decideFixes } from '../../../src/executor/fix-plan.js';
import type { ClusterAdmin } from '../../../src/executor/cluster-admin.js';
import { checkForeignOpenSlots, followFailovers, isOpenSlotDisagreement, prepareMoves } from '../../../src/executor/preflight.js';
import { parseClusterNodes } from '../../../src/topology/parse-cluster-nodes.js';
import type { Plan } from '../../../src/planner/plan-schema.js';
import { topologyFromClusterNodes } from '../../../src/topology/parse-cluster-nodes.js';

const A = 'a'.repeat(40); // the old source, now a replica of A2
const A2 = 'd'.repeat(40); // its former replica, now the master
const B = 'b'.repeat(40); // the target, importing slot 5 from A
const C = 'c'.repeat(40);

/** B is the seed: its own view still has A importing-from and owning nothing for slot 5. */
const afterFailover = (owner5: string) =>
  topologyFromClusterNodes(
    [
      `${B} 127.0.0.1:7001@17001 myself,master - 0 0 2 connected 8192-16000 [5-<-${A}]`,
      `${A} 127.0.0.1:7000@17000 slave ${A2} 0 0 4 connected`,
      `${A2} 127.0.0.1:7003@17003 master - 0 0 4 connected 0-4 6-8191${owner5 === A2 ? ' 5' : ''}`,
      `${C} 127.0.0.1:7002@17002 master - 0 0 3 connected 16001-16383`,
    ].join('\n'),
  );

const plan = (moves: Array<{ slot: number; from: string; to: string }>): Plan => ({
  kind: 'slotpilot-plan',
  version: 1,
  strategy: { name: 'move', by: 'slots', options: {} },
  source: { from: 'test', masters: [], keysKnown: false },
  moves: moves.map((m) => ({ ...m, keys: 0, bytes: 0 })),
  summary: { nodes: [], moved: { slots: moves.length, keys: 0, bytes: 0 }, estimatedSeconds: 0, notes: [] },
});

describe('a source that failed over mid-run', () => {
  it('resume moves its slots from the new master, and leaves other moves alone', () => {
    const t = afterFailover(A2);
    const moves = followFailovers(plan([{ slot: 5, from: A, to: B }, { slot: 16001, from: C, to: B }]).moves, t);
    expect(moves.map((m) => m.from)).toEqual([A2, C]);
  });

  it('a drained source that became the target’s replica is not re-planned (its slots are done)', () => {
    const t = topologyFromClusterNodes([`${B} 127.0.0.1:7001@17001 myself,master - 0 0 2 connected 0-16383`, `${A} 127.0.0.1:7000@17000 slave ${B} 0 0 2 connected`].join('\n'));
    expect(followFailovers(plan([{ slot: 5, from: A, to: B }]).moves, t)[0]!.from).toBe(A);
  });

  it('fix finishes the move from the new master, whether the seed sees it, the old id or no owner', () => {
    for (const owner of [A2, null]) {
      const t = afterFailover(owner ?? 'none');
      expect(decideFixes(t, () => 0)).toEqual([expect.objectContaining({ slot: 5, kind: 'finish', from: A2, to: B })]);
    }
  });

  it('the importing marker naming the old source belongs to the re-planned move (not "open outside this plan")', () => {
    const t = afterFailover(A2);
    expect(() => checkForeignOpenSlots(plan([{ slot: 5, from: A2, to: B }]), t)).not.toThrow();
    expect(() => checkForeignOpenSlots(plan([{ slot: 5, from: C, to: B }]), t)).toThrow(/open outside this plan/);
  });

  it('views differing only on open slots do not block a resume; others do', () => {
    const t = afterFailover(A2);
    expect(isOpenSlotDisagreement({ kind: 'disagreement', message: '', slots: [5] }, t)).toBe(true);
    expect(isOpenSlotDisagreement({ kind: 'disagreement', message: '', slots: [5, 6] }, t)).toBe(false);
    expect(isOpenSlotDisagreement({ kind: 'node-failing', message: '', slots: [5] }, t)).toBe(false);
  });

  it('resume tells a target that knows no owner for the slot who owns it now, then moves it from the new master', async () => {
    const t = afterFailover(A2);
    // B's own view: A turned replica (Redis dropped its slots there) and A2's claim on slot 5 was
    // ignored because B imports it: no owner at all.
    const own: Record<string, string> = {
      [B]: [`${B} 127.0.0.1:7001@17001 myself,master - 0 0 2 connected 8192-16000 [5-<-${A}]`, `${A} 127.0.0.1:7000@17000 slave ${A2} 0 0 4 connected`, `${A2} 127.0.0.1:7003@17003 master - 0 0 4 connected 0-4 6-8191`].join('\n'),
      [A2]: [`${A2} 127.0.0.1:7003@17003 myself,master - 0 0 4 connected 0-8191`, `${B} 127.0.0.1:7001@17001 master - 0 0 2 connected 8192-16000`].join('\n'),
    };
    const calls: string[] = [];
    const admin = {
      masters: [A2, B, C],
      view: async (id: string) => parseClusterNodes(own[id]!),
      setSlot: async (node: string, slot: number, state: string, peer: string) => void calls.push(`${node.slice(0, 1)} ${slot} ${state} ${peer.slice(0, 1)}`),
    } as unknown as ClusterAdmin;
    const prepared = await prepareMoves(plan([{ slot: 5, from: A, to: B }]), t, admin, true);
    expect(prepared).toEqual([expect.objectContaining({ slot: 5, from: A2, to: B, action: 'move' })]);
    expect(calls).toEqual(['b 5 NODE d']);
  });
});
