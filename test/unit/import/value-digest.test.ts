import { describe, expect, it } from 'vitest';
import { decodedDigest, partsDigest } from '../../../src/import/value-digest.js';

const b = (...s: string[]): Buffer[] => s.map((x) => Buffer.from(x));

describe('value digests: a decoded file value against what a server reads back', () => {
  it('agree for each type whatever the order the server answers in and however it prints scores', () => {
    expect(partsDigest(b('set', 'b', 'a'))).toBe(decodedDigest({ kind: 'set', members: b('a', 'b') }));
    expect(partsDigest(b('hash', 'y', '2', 'x', '1'))).toBe(decodedDigest({ kind: 'hash', fields: [{ field: Buffer.from('x'), value: Buffer.from('1'), expireAt: null }, { field: Buffer.from('y'), value: Buffer.from('2'), expireAt: null }] }));
    // Redis 7.0 prints %.17g, 7.2+ the shortest form; both are the same double.
    const zset = decodedDigest({ kind: 'zset', members: [{ member: Buffer.from('a'), score: 0.1 }, { member: Buffer.from('b'), score: -Infinity }] });
    expect(partsDigest(b('zset', 'b', '-inf', 'a', '0.10000000000000001'))).toBe(zset);
    expect(partsDigest(b('zset', 'b', '-inf', 'a', '0.1'))).toBe(zset);
    expect(partsDigest(b('list', 'a', 'b'))).not.toBe(partsDigest(b('list', 'b', 'a')));
    const stream = decodedDigest({ kind: 'stream', stream: { entries: [{ id: '1-0', fields: b('f', 'v') }], length: 1, lastId: '1-0', groups: [{ name: Buffer.from('g'), lastId: '1-0', pending: 1, consumers: [] }] } });
    expect(partsDigest(b('stream', '1-0', '2', 'f', 'v', '#groups', 'g', '1-0', '1'))).toBe(stream);
    expect(partsDigest(b('stream', '1-0', '2', 'f', 'v', '#groups', 'g', '1-0', '0'))).not.toBe(stream);
    expect(partsDigest(null)).toBeNull();
  });

  it('leave out hash fields whose TTL has passed, as the server does', () => {
    const fields = [{ field: Buffer.from('gone'), value: Buffer.from('x'), expireAt: 10 }, { field: Buffer.from('kept'), value: Buffer.from('y'), expireAt: null }];
    expect(decodedDigest({ kind: 'hash', fields }, 20)).toBe(partsDigest(b('hash', 'kept', 'y')));
    expect(decodedDigest({ kind: 'hash', fields }, 5)).not.toBe(partsDigest(b('hash', 'kept', 'y')));
  });
});
