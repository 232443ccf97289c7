import calculateSlot from 'cluster-key-slot';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PipeConnection } from '../../../src/redis/pipe-connection.js';
import { SyncStopError } from '../../../src/sync/errors.js';
import { StreamApplier, type ApplyTarget } from '../../../src/sync/stream-applier.js';
import { StreamBuffer } from '../../../src/sync/stream-buffer.js';
import { resp, TABLE } from './command-fixtures.js';

/** Two fake masters (slots below / from 8192): what each was sent, answered +OK (or an error). */
function fakeCluster(fail: RegExp | null = null) {
  const sent: Record<string, string[]> = { A: [], B: [] };
  const pipe = (name: string): PipeConnection =>
    ({
      callEncoded: async (payload: Buffer, count: number) => {
        const text = payload.toString();
        sent[name]!.push(text);
        await new Promise((r) => setTimeout(r, name === 'A' ? 5 : 0)); // A answers later than B
        return Array.from({ length: count }, () => (fail && fail.test(text) ? [Object.assign(new Error('WRONGTYPE Operation against a key'), { name: 'ReplyError' }), null] : [null, 'OK']));
      },
    }) as unknown as PipeConnection;
  const targets = new Map<string, ApplyTarget>([['A', { addr: 'a:1', pipe: pipe('A') }], ['B', { addr: 'b:1', pipe: pipe('B') }]]);
  const slotOwners = Array.from({ length: 16384 }, (_, s) => (s < 8192 ? 'A' : 'B'));
  return { sent, targets, slotOwners };
}

const owner = (k: string): string => (calculateSlot(k) < 8192 ? 'A' : 'B');
const [ka, kb] = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].reduce<[string, string]>((acc, k) => (owner(k) === 'A' ? [acc[0] || k, acc[1]] : [acc[0], acc[1] || k]), ['', '']);

function applier(c: ReturnType<typeof fakeCluster>, extra: Partial<ConstructorParameters<typeof StreamApplier>[0]> = {}) {
  let acks = 0;
  const a = new StreamApplier({ source: 's:1', wantDb: 0, table: TABLE, slotOwners: c.slotOwners, targets: c.targets, match: null, allowFlush: false, clusterSource: false, getKeys: async () => [], onGetAck: () => acks++, ...extra }, 1000, 0);
  return { a, acks: () => acks };
}

async function feed(a: StreamApplier, ...commands: Buffer[]): Promise<unknown> {
  const b = new StreamBuffer(1 << 20, join(mkdtempSync(join(tmpdir(), 'sp-ap-')), 's'));
  for (const c of commands) b.append(c);
  b.end();
  return a.run(b).then(() => null, (error: unknown) => error);
}

describe('stream applier', () => {
  it('sends each command to its slot\'s master in source order, splits DEL per slot, keeps a one-slot MULTI atomic, and the applied offset covers everything once acknowledged', async () => {
    const c = fakeCluster();
    const { a, acks } = applier(c);
    const cmds = [resp('SELECT', '0'), resp('INCR', ka), resp('RPUSH', kb, '1'), resp('INCR', ka), resp('DEL', ka, kb), resp('MULTI'), resp('INCR', `{${ka}}1`), resp('INCR', `{${ka}}2`), resp('EXEC'), resp('REPLCONF', 'GETACK', '*'), resp('PUBLISH', 'ch', 'x')];
    expect(await feed(a, ...cmds)).toBeNull();
    const total = cmds.reduce((n, x) => n + x.length, 0);
    expect(a.watermark.offset).toBe(1000 + total);
    const onA = c.sent.A!.join('');
    expect(onA).toBe([resp('INCR', ka), resp('INCR', ka), resp('DEL', ka), resp('MULTI'), resp('INCR', `{${ka}}1`), resp('INCR', `{${ka}}2`), resp('EXEC')].map(String).join(''));
    expect(c.sent.B!.join('')).toBe([resp('RPUSH', kb, '1'), resp('DEL', kb)].map(String).join(''));
    expect(a.counters).toMatchObject({ commands: 6, skipped: 1, splitTransactions: 0 });
    expect(acks()).toBe(1);
  });

  it('applies a cross-slot MULTI command by command and counts it', async () => {
    const c = fakeCluster();
    const { a } = applier(c);
    expect(await feed(a, resp('MULTI'), resp('INCR', ka), resp('INCR', kb), resp('EXEC'))).toBeNull();
    expect(c.sent.A!.join('')).toBe(resp('INCR', ka).toString());
    expect(c.sent.B!.join('')).toBe(resp('INCR', kb).toString());
    expect(a.counters.splitTransactions).toBe(1);
  });

  it('stops at a command it cannot apply, naming it and its offset; the applied offset stays before it', async () => {
    const c = fakeCluster();
    const { a } = applier(c);
    const first = resp('INCR', ka);
    const error = (await feed(a, first, resp('SWAPDB', '0', '1'), resp('INCR', kb))) as SyncStopError;
    expect(error).toBeInstanceOf(SyncStopError);
    expect(error.message).toMatch(new RegExp(`^s:1: SWAPDB at offset ${1000 + first.length + resp('SWAPDB', '0', '1').length}: SWAPDB 0 1 swaps`));
    expect(a.watermark.offset).toBe(1000 + first.length);
    expect(c.sent.B).toEqual([]);
  });

  it('stops at FLUSHALL unless allowed; allowed, it goes to every master', async () => {
    const stopped = applier(fakeCluster()).a;
    expect(String(await feed(stopped, resp('FLUSHALL')))).toMatch(/FLUSHALL at offset \d+: it would empty the database/);
    const c = fakeCluster();
    const { a } = applier(c, { allowFlush: true });
    expect(await feed(a, resp('FLUSHDB'))).toBeNull();
    expect([c.sent.A, c.sent.B]).toEqual([[resp('FLUSHALL').toString()], [resp('FLUSHALL').toString()]]);
    const fromCluster = applier(fakeCluster(), { allowFlush: true, clusterSource: true }).a;
    expect(String(await feed(fromCluster, resp('FLUSHALL')))).toMatch(/only its slots/);
  });

  it('stops on a reply error from the cluster, and asks the source for keys its specs cannot place', async () => {
    const { a } = applier(fakeCluster(/RPUSH/));
    expect(String(await feed(a, resp('RPUSH', kb, 'x')))).toMatch(/RPUSH .* b:1 answered: WRONGTYPE/);
    const c = fakeCluster();
    const asked: string[] = [];
    const { a: b } = applier(c, { getKeys: async (args) => (asked.push(args.map(String).join(' ')), [args[1]!]) });
    expect(await feed(b, resp('SORT', ka, 'BY', 'nosort'))).toBeNull();
    expect(asked).toEqual([`SORT ${ka} BY nosort`]);
    expect(c.sent.A!.join('')).toBe(resp('SORT', ka, 'BY', 'nosort').toString());
  });
});
