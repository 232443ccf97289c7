import { describe, expect, it } from 'vitest';
import { BUSY_OPS_PER_SEC, clientCalls, QUIET_MS, TrafficWatch } from '../../../src/executor/traffic.js';

const INFO = (set: number, migrate: number, slots: number) =>
  `# Commandstats\r\ncmdstat_set:calls=${set},usec=10,usec_per_call=0.1,rejected_calls=0,failed_calls=0\r\ncmdstat_migrate:calls=${migrate},usec=99,usec_per_call=1,rejected_calls=0,failed_calls=0\r\ncmdstat_cluster|slots:calls=${slots},usec=5,usec_per_call=1,rejected_calls=0,failed_calls=0\r\ncmdstat_info:calls=7,usec=5,usec_per_call=1,rejected_calls=0,failed_calls=0\r\n`;

describe('clientCalls', () => {
  it('counts application commands, not slotpilot\'s own, slot-map refreshes or INFO', () => {
    expect(clientCalls(INFO(120, 5000, 300))).toBe(120);
  });
  it("MULTI/EXEC are not counted: slotpilot's claims are transactions, a client's counts by its commands", () => {
    const tx = 'cmdstat_multi:calls=40,usec=1,usec_per_call=0,rejected_calls=0,failed_calls=0\r\ncmdstat_exec:calls=40,usec=900,usec_per_call=22,rejected_calls=0,failed_calls=0\r\n';
    expect(clientCalls(INFO(120, 5000, 300) + tx)).toBe(120);
  });
  it('is null when the node does not say (an ACL without INFO)', () => {
    expect(clientCalls('')).toBeNull();
  });
});

describe('TrafficWatch', () => {
  it('auto: fast on a quiet cluster, gentle as soon as clients are busy, fast again only after a quiet spell', () => {
    const w = new TrafficWatch('auto');
    expect(w.mode).toBe('fast');
    expect(w.observe('a', 1000, 0)).toBeNull();
    expect(w.observe('a', 1001, 250)).toBeNull(); // 4 commands/s: quiet
    expect(w.observe('a', 1001 + BUSY_OPS_PER_SEC, 500)).toBe('gentle');
    expect(w.opsPerSec).toBe(BUSY_OPS_PER_SEC * 4);
    expect(w.observe('a', 1001 + BUSY_OPS_PER_SEC, 750)).toBeNull(); // quiet again, but not for long
    expect(w.observe('a', 1001 + BUSY_OPS_PER_SEC, 500 + QUIET_MS + 1)).toBe('fast');
  });

  it('sums the masters: traffic spread thin over many nodes still counts', () => {
    const w = new TrafficWatch('auto');
    const per = Math.ceil(BUSY_OPS_PER_SEC / 4);
    for (const n of ['a', 'b', 'c', 'd']) w.observe(n, 0, 0);
    let changed = null;
    for (const n of ['a', 'b', 'c', 'd']) changed = w.observe(n, per, 1000) ?? changed;
    expect(changed).toBe('gentle');
  });

  it('fixed settings never change', () => {
    const fast = new TrafficWatch('fast');
    const gentle = new TrafficWatch('gentle');
    for (const w of [fast, gentle]) {
      w.observe('a', 0, 0);
      expect(w.observe('a', 1_000_000, 1000)).toBeNull();
    }
    expect(fast.mode).toBe('fast');
    expect(gentle.mode).toBe('gentle');
  });

  it('a node that does not say is ignored; a restarted node (counter went down) gives no rate', () => {
    const w = new TrafficWatch('auto');
    expect(w.observe('a', null, 0)).toBeNull();
    w.observe('a', 5000, 0);
    expect(w.observe('a', 10, 1000)).toBeNull();
    expect(w.mode).toBe('fast');
  });
});
