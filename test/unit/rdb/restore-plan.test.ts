import { describe, expect, it } from 'vitest';
import { buildDumpPayload, splitDumpPayload } from '../../../src/rdb/dump-payload.js';
import { decodeValue } from '../../../src/rdb/read-value.js';
import { planRestore } from '../../../src/rdb/restore-plan.js';
import { acceptsType, payloadVersion, rdbVersionOf, targetFormatOf, type TargetFormat } from '../../../src/rdb/target-format.js';
import { listpack, RdbFile, str } from '../../helpers/rdb-builder.js';
import { FAR, moduleFixture, rdb11Fixture, rdb12Fixture, STREAM_V3_VALUE, ziplistEraFixture } from '../../helpers/rdb-fixtures.js';
import { keysOf, parseAll, plainValue } from '../../helpers/rdb-read.js';

const redis = (v: string): TargetFormat => targetFormatOf(new Map([['redis_version', v]]));
const valkey = (v: string): TargetFormat => targetFormatOf(new Map([['redis_version', '7.2.4'], ['valkey_version', v], ['server_name', 'valkey']]));

/** Plan every key of a fixture for a target; key → [re-encoded?, type, decoded value of the payload]. */
function planAll(file: Buffer, target: TargetFormat, now = Date.now()): Record<string, unknown> {
  const entries = parseAll(file);
  const header = entries[0]!;
  const flavor = header.kind === 'header' ? header.flavor : 'redis';
  return Object.fromEntries(
    keysOf(entries).map((k) => {
      const plan = planRestore(k, flavor, target, now);
      if (plan.kind === 'expired') return [k.key.toString(), 'expired'];
      const parts = splitDumpPayload(plan.payload)!;
      expect(parts.version).toBe(payloadVersion(target, parts.type, target.flavor === 'valkey' && parts.type === 22 ? 'valkey' : 'redis'));
      return [k.key.toString(), [plan.reencoded, parts.type, plainValue(decodeValue(parts.type, parts.value, 0, target.flavor === 'valkey' && parts.type === 22 ? 'valkey' : 'redis'))]];
    }),
  );
}

describe('target formats', () => {
  it('maps server versions to the RDB version they accept', () => {
    expect(['2.8.24', '3.0.7', '3.2.12', '4.0.14', '5.0.14', '6.2.14', '7.0.15', '7.2.4', '7.4.2', '8.0.2', '8.2.1'].map((v) => rdbVersionOf('redis', v))).toEqual([6, 6, 7, 8, 9, 9, 10, 11, 12, 12, 12]);
    expect(valkey('8.1.1')).toMatchObject({ flavor: 'valkey', rdbVersion: 11, label: 'Valkey 8.1.1' });
    expect(valkey('9.0.0').rdbVersion).toBe(80);
  });

  it('knows which types each target reads (Valkey never reads Redis 7.4 types)', () => {
    expect(acceptsType(redis('7.0.15'), 19, 'redis')).toBe(true);
    expect(acceptsType(redis('7.0.15'), 20, 'redis')).toBe(false);
    expect(acceptsType(redis('6.2.0'), 16, 'redis')).toBe(false);
    expect(acceptsType(redis('8.0.0'), 25, 'redis')).toBe(true);
    expect(acceptsType(valkey('9.0.0'), 25, 'redis')).toBe(false);
    expect(acceptsType(valkey('9.0.0'), 22, 'valkey')).toBe(true);
    expect(acceptsType(redis('8.0.0'), 22, 'valkey')).toBe(false);
  });
});

describe('buildDumpPayload', () => {
  it('builds exactly the payload redis-server 7.0 dumps for SET a 1', () => {
    expect(buildDumpPayload(0, Buffer.from([0xc0, 0x01]), 10).toString('hex')).toBe('00c0010a002678e7b6d10111fc');
    expect(splitDumpPayload(Buffer.from('00c0010a002678e7b6d10111fd', 'hex'))).toBeNull();
  });
});

describe('planRestore', () => {
  it('sends the file bytes untouched where the target reads the type (old encodings into Redis 7.0)', () => {
    const planned = planAll(ziplistEraFixture().file, redis('7.0.15'));
    for (const [key, v] of Object.entries(planned)) expect((v as [boolean])[0], key).toBe(false);
    expect(planned['h:zipmap']).toEqual([false, 9, { name: 'ada', lang: 'c' }]);
  });

  it('re-encodes RDB 11 listpack sets as plain sets and v3 streams as v2 for Redis 7.0, as v1 for Redis 6', () => {
    const planned = planAll(rdb11Fixture().file, redis('7.0.15'));
    expect(planned['s:listpack']).toEqual([true, 2, ['7', 'apple', 'pear']]);
    expect(planned['stream:v3']).toEqual([true, 19, STREAM_V3_VALUE]);
    expect(planned['h:listpack']).toEqual([false, 16, { a: '1', b: 'two' }]);
    const six = planAll(rdb11Fixture().file, redis('6.2.14'));
    expect(six['stream:v3']).toEqual([true, 15, STREAM_V3_VALUE]);
    expect(six['h:listpack']).toEqual([true, 4, { a: '1', b: 'two' }]);
    expect(planAll(rdb11Fixture().file, redis('7.2.4'))['stream:v3']).toEqual([false, 21, STREAM_V3_VALUE]);
  });

  it('writes text scores for servers before RDB 8 and binary ones after', () => {
    const file = new RdbFile(10).selectDb(0).key(17, 'z', str(listpack(['a', '0.1', 'b', 3, 'c', '-inf']))).end();
    const scores = [['a', 0.1], ['b', 3], ['c', -Infinity]];
    expect(planAll(file, redis('3.0.7')).z).toEqual([true, 3, scores]);
    expect(planAll(file, redis('6.2.14')).z).toEqual([true, 5, scores]);
    expect(planAll(file, redis('7.0.15')).z).toEqual([false, 17, scores]);
  });

  it('carries hash field TTLs to servers that have them, drops expired fields, refuses servers without', () => {
    const now = 2_000_000;
    const file = rdb12Fixture(now - 10).file;
    expect(planAll(file, redis('7.4.2'), now)['h:lpex:live']).toEqual([false, 25, { keep: 'v', ttl: ['w', FAR] }]);
    const vk = planAll(file, valkey('9.0.0'), now);
    expect(vk['h:lpex:live']).toEqual([true, 22, { keep: 'v', ttl: ['w', FAR] }]);
    expect(vk['h:lpex:expired-field']).toEqual([true, 4, { keep: 'v' }]);
    expect(vk['h:meta']).toEqual([true, 22, { ttl: ['a', FAR], plain: 'b' }]);
    expect(() => planAll(file, redis('7.0.15'), now)).toThrow(/key "h:lpex:live": its hash fields have TTLs, which Redis 7.0.15 cannot keep/);
  });

  it('skips keys whose expiry has passed, and refuses module values naming the module', () => {
    const keys = keysOf(parseAll(ziplistEraFixture().file));
    const expiring = keys.find((k) => k.key.toString() === 'h:plain')!;
    expect(planRestore(expiring, 'redis', redis('7.0.15'), FAR + 1)).toEqual({ kind: 'expired' });
    const mod = keysOf(parseAll(moduleFixture())).find((k) => k.type === 7)!;
    expect(() => planRestore(mod, 'redis', redis('8.0.0'), 0)).toThrow(/key "json:1": a value of module type "ReJSON-RL"/);
  });
});
