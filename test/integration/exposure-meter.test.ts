/**
 * The bench's exposure meter on a real cluster, slots opened and closed by hand: what it reports
 * must follow what the nodes say (their own CLUSTER NODES), the same way for any tool.
 */
import { describe, expect, it } from 'vitest';
import { startExposureSampler } from '../../scripts/lib/exposure-sampler.js';
import { useCluster } from '../helpers/cluster.js';

describe('exposure meter', () => {
  const cluster = useCluster({ masters: 2 });

  it('integrates the slots open by hand, counts the most open at once and each closing burst', async () => {
    const c = cluster();
    const [a, b] = c.nodes;
    const sa = c.client(a!);
    const sb = c.client(b!);
    const masters = c.nodes.map((n) => n.addr);
    const meter = await startExposureSampler(masters, {}, 5);
    try {
      // Slots 10 and 11 open (both ends marked, as a migration does), then close together.
      const open = async (slot: number) => {
        await sb.call('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', a!.id);
        await sa.call('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', b!.id);
      };
      // One pipeline per node: its SETSLOTs run together, so no reading falls between two of them.
      const close = async (...slots: number[]) => {
        for (const node of [sb, sa]) await slots.reduce((p, slot) => p.call('CLUSTER', 'SETSLOT', String(slot), 'NODE', b!.id), node.pipeline()).exec();
      };
      const t0 = Date.now();
      await open(10);
      await open(11);
      await meter.nextReading();
      await meter.nextReading();
      await close(10, 11);
      const held1 = Date.now() - t0;
      await meter.nextReading();
      // Slot 12 opens alone and closes in a burst of its own.
      const t1 = Date.now();
      await open(12);
      await meter.nextReading();
      await meter.nextReading();
      await close(12);
      const held2 = Date.now() - t1;
      await meter.nextReading();
      const r = await meter.stop();
      expect(r.slotsOpened).toBe(3);
      expect(r.maxOpen).toBe(2);
      expect(r.closingBursts).toBe(2);
      // Each open and close is seen within one reading, so the integral is within a few intervals.
      const exact = (2 * held1 + held2) / 1000;
      const slack = (3 * 2 * Math.max(20, r.meanIntervalMs)) / 1000;
      expect(r.slotSeconds).toBeGreaterThan(exact - slack);
      expect(r.slotSeconds).toBeLessThan(exact + slack);
    } finally {
      sa.disconnect();
      sb.disconnect();
    }
  });
});
