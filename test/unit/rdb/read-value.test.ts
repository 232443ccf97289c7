import { describe, expect, it } from 'vitest';
import { decodeValue, moduleNameOf } from '../../../src/rdb/read-value.js';
import { RdbUnsupportedError } from '../../../src/rdb/errors.js';
import { len, listpack, RdbFile, str } from '../../helpers/rdb-builder.js';
import { moduleFixture, quicklistEraFixture, rdb11Fixture, rdb12Fixture, ziplistEraFixture } from '../../helpers/rdb-fixtures.js';
import { decodeFile, keysOf, parseAll } from '../../helpers/rdb-read.js';

describe('decodeValue, every type and encoding of RDB 6 to 12', () => {
  for (const fixture of [ziplistEraFixture(), quicklistEraFixture(), rdb11Fixture(), rdb12Fixture(1_000)]) {
    it(fixture.name, () => {
      expect(decodeFile(fixture.file)).toEqual(fixture.values);
      const keys = keysOf(parseAll(fixture.file));
      for (const [key, at] of Object.entries(fixture.expiries)) expect(keys.find((k) => k.key.toString() === key)?.expireAt).toBe(at);
    });
  }

  it('reads quicklist 2 plain and packed nodes, and Valkey 9 hashes with field TTLs (-1: none)', () => {
    const file = new RdbFile(80, 'VALKEY')
      .selectDb(0)
      .key(18, 'l', Buffer.concat([len(2), len(1), str('a big plain element'), len(2), str(listpack(['x', 5]))]))
      .key(22, 'h', Buffer.concat([len(2), str('f'), str('v'), Buffer.from('ffffffffffffffff', 'hex'), str('t'), str('w'), Buffer.from([0x10, 0x27, 0, 0, 0, 0, 0, 0])]))
      .end();
    expect(decodeFile(file)).toEqual({ l: ['a big plain element', 'x', '5'], h: { f: 'v', t: ['w', 10000] } });
  });

  it('refuses to decode a module value, naming its module; the reader steps over it', () => {
    const keys = keysOf(parseAll(moduleFixture()));
    const json = keys.find((k) => k.key.toString() === 'json:1')!;
    expect(moduleNameOf(json.value, json.valueOffset)).toBe('ReJSON-RL');
    expect(() => decodeValue(json.type, json.value, json.valueOffset, 'redis')).toThrow(RdbUnsupportedError);
    expect(() => decodeValue(json.type, json.value, json.valueOffset, 'redis')).toThrow(/module type "ReJSON-RL"/);
    expect(keys.map((k) => k.key.toString())).toEqual(['ok', 'json:1']);
  });

  it('refuses bytes left after a value and a bad quicklist container', () => {
    expect(() => decodeValue(0, Buffer.concat([str('a'), Buffer.from([1])]), 50, 'redis')).toThrow(/1 bytes after the value at byte offset 52/);
    expect(() => decodeValue(18, Buffer.concat([len(1), len(3), str('x')]), 10, 'redis')).toThrow(/container 3/);
  });
});
