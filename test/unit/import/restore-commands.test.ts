import { describe, expect, it } from 'vitest';
import { encodeRestores } from '../../../src/import/restore-commands.js';
import { encodeCommand } from '../../../src/redis/pipe-connection.js';

describe('encodeRestores', () => {
  it('encodes each RESTORE exactly as the general RESP encoder does, binary keys and payloads included', () => {
    const entries = [
      { key: Buffer.from('a'), ttlMs: 0, payload: Buffer.from([0, 1, 2, 0x0d, 0x0a]) },
      { key: Buffer.from([0xff, 0x00]), ttlMs: 4102444800000, payload: Buffer.alloc(300, 7) },
    ];
    for (const extra of [[], ['ABSTTL'], ['REPLACE', 'ABSTTL']]) {
      const want = Buffer.concat(entries.map((e) => Buffer.from(encodeCommand(['RESTORE', e.key, String(e.ttlMs), e.payload, ...extra]))));
      expect(encodeRestores(entries, extra)).toEqual(want);
    }
    expect(encodeRestores([], ['ABSTTL'])).toHaveLength(0);
    const edges = [9, 10, 99, 100, 999, 1000, 1e12, 1e15 - 1, 1e15, 4102444800000].map((ttlMs, i) => ({ key: Buffer.from(`k${i}`), ttlMs, payload: Buffer.alloc(i * 37, i) }));
    expect(encodeRestores(edges, ['ABSTTL'])).toEqual(Buffer.concat(edges.map((e) => Buffer.from(encodeCommand(['RESTORE', e.key, String(e.ttlMs), e.payload, 'ABSTTL'])))));
  });
});
