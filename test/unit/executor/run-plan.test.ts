import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import type { ExecutorEvent } from '../../../src/executor/events.js';
import { othersNeedTelling } from '../../../src/executor/move-slot.js';
import { DEFAULT_MIGRATES_PER_SOURCE, startRun, type RunOptions } from '../../../src/executor/run-plan.js';
import { SLOT_TRANSITIONS } from '../../../src/executor/slot-state.js';
import { INTRO_SLOTS } from '../../../src/executor/introduction.js';
import { MAX_AHEAD } from '../../../src/executor/open-ahead.js';
import { FakeCluster, ids, keysForSlot, planOf } from './fake-admin.js';

const [A, B, C, D] = ids as [string, string, string, string];

/** Three masters own everything, D is empty; slot s holds s % 4 keys in slots 0-99. */
function fourNodes(keys: (slot: number) => number = (s) => (s < 100 ? s % 4 : 0)): FakeCluster {
  return new FakeCluster({ [A]: [0, 5460], [B]: [5461, 10922], [C]: [10923, 16383], [D]: [1, 0] }, keys);
}

function run(fake: FakeCluster, moves: { slot: number; from: string; to: string }[], opts: Partial<RunOptions> = {}, keysPerMove = 0) {
  const events: ExecutorEvent[] = [];
  const handle = startRun(planOf(moves, keysPerMove), { seed: { host: '127.0.0.1', port: 7000 }, connection: {}, journal: null, admin: fake.admin(), topology: fake.topology(), introduceWaitMs: 0, ...opts });
  handle.subscribe((e) => events.push(e));
  return { handle, events };
}

const slotsFrom = (from: string, first: number, n: number, to: string) => Array.from({ length: n }, (_, i) => ({ slot: first + i, from, to }));

describe('startRun with a scripted cluster', () => {
  it('moves every slot and key, owners updated everywhere, at most the MIGRATEs per source asked for', async () => {
    const fake = fourNodes();
    const moves = [...slotsFrom(A, 0, 40, D), ...slotsFrom(B, 5461, 20, D), ...slotsFrom(C, 10923, 20, D)];
    const { handle, events } = run(fake, moves, { concurrency: 16, batch: 2 });
    const summary = await handle.done;
    expect(summary).toMatchObject({ planned: 80, done: 80, failed: 0, notStarted: 0, stoppedBy: null });
    expect(summary.keys).toBe(moves.reduce((a, m) => a + (m.slot < 100 ? m.slot % 4 : 0), 0));
    for (const m of moves) {
      for (const n of fake.nodes.values()) expect(n.owners.get(m.slot)).toBe(D);
      expect(fake.keysInSlot(m.from, m.slot)).toEqual([]);
      expect(fake.keysInSlot(D, m.slot)).toHaveLength(m.slot < 100 ? m.slot % 4 : 0);
    }
    expect(Math.max(...fake.peakMigrates.values())).toBe(DEFAULT_MIGRATES_PER_SOURCE);
    expect(fake.peakOpen).toBeLessThanOrEqual(16);
    const one = fourNodes();
    await run(one, moves, { concurrency: 16, batch: 2, migratesPerSource: 1 }).handle.done;
    expect(Math.max(...one.peakMigrates.values())).toBe(1);
    expect(fake.nodes.get(A)!.migrating.size + fake.nodes.get(D)!.importing.size).toBe(0);
    expect(events.filter((e) => e.type === 'slot-done')).toHaveLength(80);
    expect(events.at(-1)).toMatchObject({ type: 'run-end', summary });
  });

  it('gentle pace: a target takes slots from at most two sources at a time, one MIGRATE per source; fast takes from all', async () => {
    const moves = [...slotsFrom(A, 0, 30, D), ...slotsFrom(B, 5461, 30, D), ...slotsFrom(C, 10923, 30, D)];
    /** Most sources the target imported from at once, replayed from the commands it received. */
    const peakSources = (fake: FakeCluster): number => {
      const open = new Map<string, string>();
      let peak = 0;
      for (const line of fake.log) {
        const m = /^d SETSLOT (\d+) (IMPORTING|NODE) (\S+)/.exec(line);
        if (!m) continue;
        if (m[2] === 'IMPORTING') open.set(m[1]!, m[3]!);
        else open.delete(m[1]!);
        peak = Math.max(peak, new Set(open.values()).size);
      }
      return peak;
    };
    const gentle = fourNodes();
    const g = await run(gentle, moves, { concurrency: 64, batch: 1, pace: 'gentle' }).handle.done;
    expect(g).toMatchObject({ done: 90, failed: 0 });
    expect(peakSources(gentle)).toBe(2);
    expect(Math.max(...gentle.peakMigrates.values())).toBe(1);
    const fast = fourNodes();
    await run(fast, moves, { concurrency: 64, batch: 1, pace: 'fast' }).handle.done;
    expect(peakSources(fast)).toBe(3);
    expect(Math.max(...fast.peakMigrates.values())).toBe(DEFAULT_MIGRATES_PER_SOURCE);
  });

  it('gentle pace: a target\'s sources take turns, so they finish together instead of the third moving alone at the end', async () => {
    const fake = fourNodes(() => 1);
    const moves = [...slotsFrom(A, 0, 100, D), ...slotsFrom(B, 5461, 100, D), ...slotsFrom(C, 10923, 100, D)];
    expect(await run(fake, moves, { concurrency: 64, batch: 1, pace: 'gentle' }).handle.done).toMatchObject({ done: 300, failed: 0 });
    const sourceOf = new Map(moves.map((m) => [String(m.slot), m.from]));
    const imports = fake.log.map((l) => /^d SETSLOT (\d+) IMPORTING/.exec(l)?.[1]).filter((slot): slot is string => slot !== undefined);
    expect(imports).toHaveLength(300);
    // Where each source's last slot opened, in the order the target was told: all three in the last
    // quarter. Keeping the first two seated until their end put theirs near 2/3 of the way.
    const last = [A, B, C].map((from) => imports.findLastIndex((slot) => sourceOf.get(slot) === from));
    expect(Math.min(...last), `last openings per source: ${last.join(', ')}`).toBeGreaterThanOrEqual(225);
  });

  it('takes a slot through the protocol in order: target IMPORTING, source MIGRATING, keys, source still migrating?, target NODE, then the rest', async () => {
    const fake = fourNodes();
    const { handle } = run(fake, [{ slot: 3, from: A, to: D }]);
    await handle.done;
    const steps = fake.log.filter((l) => !l.includes('COUNTKEYSINSLOT'));
    expect(steps.slice(0, 6)).toEqual([
      `d SETSLOT 3 IMPORTING ${A}`,
      `a SETSLOT 3 MIGRATING ${D}`,
      'a GETKEYSINSLOT 3 360', // four batches' worth (a batch: 1 ms at the first guess of 11 µs a key): the slot's keys come whole, and its batches keep tags together
      `a MIGRATE ${D}  ${keysForSlot(3, 3).join(' ')}`,
      // The source still migrates it (no failover meanwhile): only then may the target claim it.
      'a EXISTS-PROBE 3',
      `d SETSLOT 3 NODE ${D}`,
    ]);
    // Then the source. The other masters take the target's claim from its broadcast: no source of
    // this plan is a target, so the claim's epoch is above every owner's they know.
    expect(steps.slice(6)).toEqual([`a SETSLOT 3 NODE ${D}`]);
    for (const n of fake.nodes.values()) expect(n.owners.get(3)).toBe(D);
  });

  it('tells every other master the new owner when a node of the plan both takes and gives slots (its claim could tie the epoch of the node it takes from)', async () => {
    expect(othersNeedTelling([{ from: A, to: D }, { from: B, to: D }])).toBe(false);
    expect(othersNeedTelling([{ from: A, to: D }, { from: D, to: B }])).toBe(true);
    const fake = fourNodes();
    const moves = [{ slot: 3, from: A, to: D }, { slot: 5461, from: B, to: A }];
    const { handle } = run(fake, moves);
    expect(await handle.done).toMatchObject({ done: 2, failed: 0 });
    const told = fake.log.filter((l) => / SETSLOT (3|5461) NODE /.test(l)).sort();
    expect(told).toEqual([`a SETSLOT 3 NODE ${D}`, `a SETSLOT 5461 NODE ${A}`, `b SETSLOT 3 NODE ${D}`, `b SETSLOT 5461 NODE ${A}`, `c SETSLOT 3 NODE ${D}`, `c SETSLOT 5461 NODE ${A}`, `d SETSLOT 3 NODE ${D}`, `d SETSLOT 5461 NODE ${A}`]);
  });

  it('ends only once every master shows the new owners: one that missed the claims is told directly', async () => {
    const fake = fourNodes();
    fake.deaf.add(B);
    const moves = [...slotsFrom(A, 0, 5, D), ...slotsFrom(C, 10923, 5, D)];
    const { handle } = run(fake, moves);
    expect(await handle.done).toMatchObject({ done: 10, failed: 0 });
    // Only B, which missed the broadcasts, was told; C (a source) and A were told as sources.
    expect(fake.log.filter((l) => l.startsWith('b SETSLOT')).length).toBe(10);
    expect(fake.log.filter((l) => l.startsWith('c SETSLOT') && l.includes(' NODE ')).length).toBe(5);
    for (const n of fake.nodes.values()) for (const m of moves) expect(n.owners.get(m.slot), `${n.id.slice(0, 1)} slot ${m.slot}`).toBe(D);
  });

  it('an empty slot skips the key loop, but a key written before MIGRATING is still moved', async () => {
    const fake = fourNodes(() => 0);
    const late = keysForSlot(7, 1)[0]!;
    fake.before = (node, command, args) => {
      // A client writes a key into slot 7 after the executor counted it empty, before MIGRATING.
      if (node === A && command === 'SETSLOT' && args[0] === 7 && args[1] === 'MIGRATING') fake.nodes.get(A)!.keys.set(late, 'late');
    };
    const { handle } = run(fake, [{ slot: 6, from: A, to: D }, { slot: 7, from: A, to: D }]);
    expect(await handle.done).toMatchObject({ done: 2, keys: 1 });
    expect(fake.log.filter((l) => l.includes('MIGRATE '))).toHaveLength(1);
    expect(fake.nodes.get(D)!.keys.get(late)).toBe('late');
  });

  it("a round's closing slots of one target go to it in one claim; a claim refused fails that slot alone, left open for resume", async () => {
    const fake = fourNodes(() => 0);
    fake.before = (node, command, args) => {
      if (node === D && command === 'SETSLOT' && args[0] === 7 && args[1] === 'NODE') throw new Error('ERR injected refusal');
    };
    const moves = slotsFrom(A, 0, 40, D);
    const { handle, events } = run(fake, moves, { concurrency: 40 });
    const summary = await handle.done;
    expect(summary).toMatchObject({ done: 39, failed: 1 });
    expect(events.find((e) => e.type === 'slot-failed')).toMatchObject({ slot: 7, phase: 'assigning' });
    // Slots closed together went in one claim each round (the introduction's first slot closes alone).
    const claimed = fake.claims.map((c) => c.split(' ')[1]!.split(',').length);
    expect(Math.max(...claimed)).toBeGreaterThan(1);
    expect(claimed.reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(40);
    expect(fake.nodes.get(A)!.migrating.get(7)).toBe(D);
    expect(fake.nodes.get(D)!.importing.get(7)).toBe(A);
    for (const m of moves.filter((x) => x.slot !== 7)) for (const n of fake.nodes.values()) expect(n.owners.get(m.slot)).toBe(D);
  });

  it('a source that answers LOADING to its NODE: nothing to assign if ROLE says it turned replica, else the slot fails', async () => {
    for (const [role, failed] of [['replica', 0], ['master', 1]] as const) {
      const fake = fourNodes(() => 0);
      fake.roles.set(A, role);
      // The drained source lost its last slot by gossip, followed the target and is loading its data.
      fake.before = (node, command, args) => {
        if (node === A && command === 'SETSLOT' && args[0] === 9 && args[1] === 'NODE') throw new Error('LOADING Redis is loading the dataset in memory');
      };
      const { handle, events } = run(fake, slotsFrom(A, 0, 10, D), { concurrency: 10 });
      const summary = await handle.done;
      expect(summary, role).toMatchObject({ done: 10 - failed, failed });
      if (failed) expect(events.find((e) => e.type === 'slot-failed')).toMatchObject({ slot: 9, phase: 'assigning' });
    }
  });

  it('BUSYKEY fails that slot naming the key, starts no new slot, finishes those in flight', async () => {
    const fake = fourNodes((s) => (s < 200 ? 2 : 0));
    const busy = keysForSlot(10, 2)[1]!;
    fake.nodes.get(D)!.keys.set(busy, 'left over');
    const moves = [...slotsFrom(A, 0, 100, D), ...slotsFrom(B, 5461, 5, D)];
    const { handle, events } = run(fake, moves, { concurrency: 30 });
    const summary = await handle.done;
    expect(summary.failed).toBe(1);
    expect(summary.stoppedBy).toBe('failure');
    expect(summary.notStarted).toBeGreaterThan(0);
    expect(summary.done + summary.failed + summary.notStarted).toBe(105);
    const failed = events.find((e) => e.type === 'slot-failed');
    expect(failed).toMatchObject({ slot: 10, code: 'BUSYKEY', phase: 'keys' });
    expect(failed && 'reason' in failed ? failed.reason : '').toContain(`key "${busy}" already exists on the target`);
    // The failed slot stays open between its two ends (resume finishes it); every other slot is closed.
    expect(fake.nodes.get(A)!.migrating.get(10)).toBe(D);
    expect(fake.nodes.get(D)!.importing.get(10)).toBe(A);
    expect(fake.nodes.get(A)!.migrating.size).toBe(1);
    expect(fake.nodes.get(D)!.keys.get(busy)).toBe('left over');
  });

  it("a copy on the target with the source's value (a lost MIGRATE reply) is overwritten and reported; a different one still fails the slot", async () => {
    const fake = fourNodes((s) => (s < 200 ? 3 : 0));
    const [, same, other] = keysForSlot(10, 3);
    const [, alsoSame] = keysForSlot(12, 3);
    fake.nodes.get(D)!.keys.set(same!, `v:${same}`);
    fake.nodes.get(D)!.keys.set(alsoSame!, `v:${alsoSame}`);
    fake.nodes.get(D)!.keys.set(other!, 'left over');
    const { handle, events } = run(fake, slotsFrom(A, 8, 6, D));
    expect(await handle.done).toMatchObject({ done: 5, failed: 1 });
    const copies = events.filter((e) => e.type === 'same-copy');
    expect(copies).toEqual(expect.arrayContaining([expect.objectContaining({ slot: 10, keys: 1, key: same }), expect.objectContaining({ slot: 12, keys: 1, key: alsoSame })]));
    expect(copies).toHaveLength(2);
    const failed = events.find((e) => e.type === 'slot-failed');
    expect(failed).toMatchObject({ slot: 10, code: 'BUSYKEY' });
    expect(failed && 'reason' in failed ? failed.reason : '').toContain(`key "${other}" already exists on the target`);
    // Slot 12 moved whole; the differing copy in slot 10 is the admin's to decide.
    expect(fake.keysInSlot(A, 12)).toEqual([]);
    expect(fake.nodes.get(D)!.keys.get(other!)).toBe('left over');
    expect(fake.nodes.get(A)!.keys.get(other!)).toBe(`v:${other}`);
  });

  it('--replace overwrites the key on the target', async () => {
    const fake = fourNodes((s) => (s < 200 ? 2 : 0));
    const busy = keysForSlot(10, 2)[1]!;
    fake.nodes.get(D)!.keys.set(busy, 'left over');
    const { handle } = run(fake, slotsFrom(A, 8, 4, D), { replace: true });
    expect(await handle.done).toMatchObject({ done: 4, failed: 0 });
    expect(fake.nodes.get(D)!.keys.get(busy)).toBe(`v:${busy}`);
  });

  it('a MIGRATE timeout is retried key by key, then reported with the key and its size', async () => {
    const fake = fourNodes((s) => (s === 20 ? 3 : 0));
    const big = keysForSlot(20, 3)[2]!;
    fake.before = (_node, command, args) => {
      if (command === 'MIGRATE' && args.includes(big)) throw new Error('IOERR error or timeout reading to target instance');
    };
    const { handle, events } = run(fake, [{ slot: 20, from: A, to: D }]);
    expect(await handle.done).toMatchObject({ failed: 1 });
    const failed = events.find((e) => e.type === 'slot-failed');
    expect(failed).toMatchObject({ code: 'TIMEOUT' });
    expect(failed && 'reason' in failed ? failed.reason : '').toMatch(new RegExp(`key "${big.replace(/[{}]/g, '\\$&')}" \\(123 bytes\\) did not move`));
    // The two small keys went through one at a time before the big one was named.
    expect(fake.keysInSlot(D, 20)).toHaveLength(2);
  });

  it('abort() finishes the slots in flight, opens no more, and leaves nothing open', async () => {
    const fake = fourNodes((s) => (s < 300 ? 3 : 0));
    const { handle, events } = run(fake, slotsFrom(A, 0, 300, D), { concurrency: 8, batch: 1 });
    handle.subscribe((e) => {
      if (e.type === 'slot-done' && e.slot === 0) handle.abort();
    });
    const summary = await handle.done;
    expect(summary.stoppedBy).toBe('abort');
    expect(summary.failed).toBe(0);
    expect(summary.notStarted).toBeGreaterThan(200);
    expect(summary.done + summary.notStarted).toBe(300);
    expect(fake.nodes.get(A)!.migrating.size + fake.nodes.get(D)!.importing.size).toBe(0);
    expect(events.some((e) => e.type === 'stopping')).toBe(true);
  });

  it('abort(true) stops key loops at once; the slots stay open between their two ends', async () => {
    const fake = fourNodes((s) => (s < 50 ? 30 : 0));
    const { handle, events } = run(fake, slotsFrom(A, 0, 50, D), { concurrency: 4, batch: 1 });
    let progress = 0;
    handle.subscribe((e) => {
      if (e.type === 'slot-progress' && ++progress === 3) handle.abort(true);
    });
    const summary = await handle.done;
    expect(summary.failed).toBeGreaterThan(0);
    for (const e of events) if (e.type === 'slot-failed') expect(e.code).toBe('INTERRUPTED');
    const open = [...fake.nodes.get(A)!.migrating.keys()];
    expect(open.length).toBe(summary.failed);
    for (const s of open) expect(fake.nodes.get(D)!.importing.get(s)).toBe(A);
  });

  it('introduces a master that owns nothing: its first slot alone and closed, then its intro slots, then the rest', async () => {
    const fake = fourNodes((s) => (s < 100 || (s >= 5461 && s < 5561) ? 2 : 0));
    const moves = [...slotsFrom(A, 0, 80, D), ...slotsFrom(B, 5461, 80, D)];
    const { handle, events } = run(fake, moves, { concurrency: 64 });
    expect(await handle.done).toMatchObject({ done: 160, failed: 0 });
    // Replay what D was told: IMPORTING opens a slot towards it, NODE closes one.
    const open = new Set<string>();
    const closed: string[] = [];
    let firstSlot: string | null = null;
    for (const line of fake.log) {
      const m = /^d SETSLOT (\d+) (IMPORTING|NODE)/.exec(line);
      if (!m) continue;
      if (m[2] === 'IMPORTING') {
        if (firstSlot === null) firstSlot = m[1]!;
        // Nothing opens towards D while its first slot is open, nor before that one closed.
        else expect(closed).toContain(firstSlot);
        // Slots beyond the intro ones open only once every intro slot is closed.
        if (open.size + closed.length >= INTRO_SLOTS) expect(closed.length).toBeGreaterThanOrEqual(INTRO_SLOTS);
        open.add(m[1]!);
      } else if (open.delete(m[1]!)) closed.push(m[1]!);
    }
    expect(events.filter((e) => e.type === 'introduce').map((e) => (e.type === 'introduce' ? e.step : ''))).toEqual(['start', 'waiting', 'done']);
  });

  it('opens slots just in time: a source never has more open than its MIGRATEs in flight and a few ahead, and the summary reports the exposure', async () => {
    const fake = new FakeCluster({ [A]: [0, 5460], [B]: [5461, 10922], [C]: [10923, 16382], [D]: [16383, 16383] }, (s) => (s < 300 ? 3 : 0));
    const { handle } = run(fake, slotsFrom(A, 0, 300, D), { concurrency: 512, batch: 1 }, 3);
    const summary = await handle.done;
    expect(summary).toMatchObject({ done: 300, failed: 0 });
    expect(fake.peakOpen).toBeLessThanOrEqual(DEFAULT_MIGRATES_PER_SOURCE + MAX_AHEAD);
    expect(summary.exposure.maxOpen).toBeGreaterThanOrEqual(fake.peakOpen); // counted from IMPORTING sent to the last NODE
    expect(summary.exposure.slotSeconds).toBeGreaterThan(0);
    expect(summary.exposure.closingBursts).toBeGreaterThan(1);
  });

  it('moves each hash tag of a slot in one MIGRATE when it fits, so no multi-key command meets its keys half moved', async () => {
    const fake = fourNodes(() => 0);
    // Two tags of slot 5, two keys each, fetched together and cut into batches of two.
    const tags: string[] = [];
    for (let i = 0; tags.length < 2; i++) if (calculateSlot(`k${i}`) === 5) tags.push(`k${i}`);
    // Named so that the source lists them tags interleaved: a{t0} b{t1} c{t0} d{t1}.
    const [a, b, c, d] = [`a{${tags[0]}}`, `b{${tags[1]}}`, `c{${tags[0]}}`, `d{${tags[1]}}`];
    for (const k of [a, b, c, d]) fake.nodes.get(A)!.keys.set(k!, 'v');
    const { handle } = run(fake, [{ slot: 5, from: A, to: D }], { batch: 2 });
    expect(await handle.done).toMatchObject({ done: 1, keys: 4 });
    const migrates = fake.log.filter((l) => l.includes(' MIGRATE ')).map((l) => l.split(' ').slice(-2).join(' '));
    expect(migrates).toEqual([`${a} ${c}`, `${b} ${d}`]);
  });

  it('respects the per-node limit', async () => {
    const fake = fourNodes();
    const { handle } = run(fake, [...slotsFrom(A, 0, 30, D), ...slotsFrom(B, 5461, 30, C)], { concurrency: 100, perNodeLimit: 5 });
    expect(await handle.done).toMatchObject({ done: 60 });
    expect(fake.peakOpen).toBeLessThanOrEqual(5);
  });

  it('pause() opens no new slot until resume()', async () => {
    const fake = fourNodes();
    const { handle, events } = run(fake, slotsFrom(A, 0, 40, D), { concurrency: 4 });
    let pausedAt = -1;
    handle.subscribe((e) => {
      if (e.type === 'slot-done' && pausedAt < 0) {
        handle.pause();
        pausedAt = events.length;
        setTimeout(() => handle.resume(), 20);
      }
    });
    expect(await handle.done).toMatchObject({ done: 40 });
    const between = events.slice(pausedAt, events.findIndex((e) => e.type === 'resumed'));
    expect(between.some((e) => e.type === 'slot-start')).toBe(false);
  });

  it('every phase event follows the slot state machine', async () => {
    const fake = fourNodes();
    const { handle, events } = run(fake, [...slotsFrom(A, 0, 20, D), ...slotsFrom(B, 5461, 3, D)], { concurrency: 5 });
    await handle.done;
    const phase = new Map<number, string>();
    for (const e of events) {
      if (e.type !== 'slot-phase') continue;
      const from = (phase.get(e.slot) ?? 'pending') as keyof typeof SLOT_TRANSITIONS;
      expect(SLOT_TRANSITIONS[from]).toContain(e.phase);
      phase.set(e.slot, e.phase);
    }
    expect([...phase.values()].every((p) => p === 'done')).toBe(true);
  });
});
