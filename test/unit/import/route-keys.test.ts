import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import { classifyRestoreReplies, parseDumpReply, routeKeys, UnownedSlotError } from '../../../src/import/route-keys.js';

const owners = Array.from({ length: 16384 }, (_, s) => (s < 8192 ? 'A' : 'B'));
const k = (name: string): { key: Buffer } => ({ key: Buffer.from(name) });

describe('routeKeys', () => {
  it('sends each key to the owner of its CRC16 slot, hash tags included', () => {
    const keys = ['foo', 'bar', '{user1}:a', '{user1}:b', 'sp:1', 'sp:2'].map(k);
    const routed = routeKeys(keys, owners);
    for (const [owner, list] of routed) {
      for (const e of list) expect(owners[calculateSlot(e.key)]).toBe(owner);
    }
    expect([...routed.values()].flat()).toHaveLength(keys.length);
    const tagged = [...routed.values()].find((l) => l.some((e) => e.key.toString() === '{user1}:a'))!;
    expect(tagged.map((e) => e.key.toString())).toContain('{user1}:b');
    // foo → slot 12182, bar → 5061 (the Redis Cluster spec's examples).
    expect(routed.get('B')!.map((e) => e.key.toString())).toContain('foo');
    expect(routed.get('A')!.map((e) => e.key.toString())).toContain('bar');
  });

  it('routes binary key names by their bytes', () => {
    const key = Buffer.from([0xff, 0x00, 0x7b, 0x61, 0x7d]);
    const routed = routeKeys([{ key }], owners);
    expect(routed.get(owners[calculateSlot(key)]!)).toHaveLength(1);
    expect(calculateSlot(key)).toBe(calculateSlot('a'));
  });

  it('refuses a key whose slot has no owner, naming it', () => {
    const holes = owners.map((o, s) => (s === calculateSlot('foo') ? null : o));
    expect(() => routeKeys([k('foo')], holes)).toThrow(UnownedSlotError);
    expect(() => routeKeys([k('foo')], holes)).toThrow(/slot 12182 \(key "foo"\)/);
  });
});

describe('parseDumpReply', () => {
  it('pairs PTTL with payload, keeps no TTL as 0 and counts keys that vanished', () => {
    const keys = ['a', 'b', 'c', 'd'].map((x) => Buffer.from(x));
    const p = Buffer.from('payload');
    const { dumped, vanished } = parseDumpReply(keys, [-1, p, 5000, p, -2, null, -2, p]);
    expect(dumped.map((d) => [d.key.toString(), d.ttlMs])).toEqual([
      ['a', 0],
      ['b', 5000],
    ]);
    expect(vanished).toBe(2);
  });

  it('never turns a key about to expire into a persistent one', () => {
    const { dumped } = parseDumpReply([Buffer.from('a')], [0, Buffer.from('x')]);
    expect(dumped[0]!.ttlMs).toBe(1);
  });

  it('rejects a reply of the wrong length', () => {
    expect(() => parseDumpReply([Buffer.from('a')], [1])).toThrow(/1 values for 1 keys/);
  });
});

describe('classifyRestoreReplies', () => {
  it('sorts replies into restored, busy and failed, in order', () => {
    const out = classifyRestoreReplies(['a', 'b', 'c', 'd'], [
      [null, 'OK'],
      [new Error('BUSYKEY Target key name already exists.'), null],
      [new Error('ERR DUMP payload version or checksum are wrong\nmore'), null],
      [null, 'OK'],
    ]);
    expect(out.restored).toEqual(['a', 'd']);
    expect(out.busy).toEqual(['b']);
    expect(out.failed).toEqual([{ entry: 'c', reason: 'ERR DUMP payload version or checksum are wrong' }]);
  });

  it('treats a missing reply as a failure, not a success', () => {
    expect(classifyRestoreReplies(['a'], []).failed).toHaveLength(1);
  });
});
