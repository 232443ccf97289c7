/**
 * The reader against files a real redis-server wrote: every encoding Redis 7.0 writes (tiny
 * thresholds), random data (property test), the handcrafted old-format fixtures loaded into a real
 * server too (so the builder is proven against Redis itself), and a corpus of corrupt files.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RdbFormatError, RdbUnsupportedError } from '../../src/rdb/errors.js';
import { decodeValue } from '../../src/rdb/read-value.js';
import { keysOf, parseAll } from '../helpers/rdb-read.js';
import { quicklistEraFixture, ziplistEraFixture } from '../helpers/rdb-fixtures.js';
import { canonicalDecoded, readAll, saveRdb, startSmallEncodingServer, writeEveryEncoding } from '../helpers/rdb-source.js';
import { startStandalone, type StandaloneRedis } from '../helpers/standalone.js';

let server: StandaloneRedis;
let c: Redis;

beforeAll(async () => {
  server = await startSmallEncodingServer();
  c = server.client();
  await c.connect();
});
afterAll(() => {
  c?.disconnect();
  server?.stop();
});

/** key → canonical value of every db-0 key the reader finds in `file`. */
function decodeAll(file: Buffer, db = 0): Record<string, unknown> {
  return Object.fromEntries(
    keysOf(parseAll(file, 4096))
      .filter((k) => k.db === db)
      .map((k) => [k.key.toString('latin1'), canonicalDecoded(decodeValue(k.type, k.value, k.valueOffset, 'redis'))]),
  );
}

describe('reading what redis-server 7.0 writes', () => {
  it('decodes every encoding to what the server holds, with TTLs and databases', async () => {
    await c.flushall();
    const keys = await writeEveryEncoding(c);
    const held = await readAll(c, keys);
    const file = readFileSync(await saveRdb(server, c));
    const entries = keysOf(parseAll(file, 1000));
    // Every encoding 7.0 writes appears: quicklist 2 (packed, plain, LZF-compressed nodes), intset, listpack, hashtables, skiplist, stream v2.
    expect(new Set(entries.map((e) => e.type))).toEqual(new Set([0, 2, 4, 5, 11, 16, 17, 18, 19]));
    const decoded = decodeAll(file);
    for (const k of keys) {
      const value = held[k]!.type === 'stream' ? { entries: (held[k]!.value as { entries: unknown }).entries } : held[k]!.value;
      expect(decoded[k], k).toEqual(value);
      const e = entries.find((x) => x.key.toString('latin1') === k)!;
      if (held[k]!.pttl > 0) expect(Math.abs(e.expireAt! - Date.now() - held[k]!.pttl)).toBeLessThan(2000);
      else expect(e.expireAt).toBeNull();
    }
    expect(entries.find((e) => e.db === 1)?.key.toString()).toBe('db1:key');
  });

  it('property: random typed data → SAVE → read = the data', async () => {
    const text = fc.string({ minLength: 0, maxLength: 40 });
    const member = fc.oneof(text, fc.integer().map(String), fc.constantFrom('x'.repeat(70), '0', '-1', '9223372036854775807'));
    const value = fc.oneof(
      fc.record({ t: fc.constant('string' as const), v: fc.oneof(text, fc.integer().map(String), fc.string({ minLength: 30, maxLength: 300 })) }),
      fc.record({ t: fc.constant('list' as const), v: fc.array(member, { minLength: 1, maxLength: 20 }) }),
      fc.record({ t: fc.constant('set' as const), v: fc.uniqueArray(member, { minLength: 1, maxLength: 12 }) }),
      fc.record({ t: fc.constant('zset' as const), v: fc.uniqueArray(fc.tuple(member, fc.double({ noNaN: true, noDefaultInfinity: false })), { minLength: 1, maxLength: 10, selector: (x) => x[0] }) }),
      fc.record({ t: fc.constant('hash' as const), v: fc.uniqueArray(fc.tuple(member, text), { minLength: 1, maxLength: 10, selector: (x) => x[0] }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), value, { minKeys: 1, maxKeys: 12 }), async (data) => {
        await c.flushall();
        const p = c.pipeline();
        for (const [k, d] of Object.entries(data)) {
          if (d.t === 'string') p.set(k, d.v);
          else if (d.t === 'list') p.rpush(k, ...d.v);
          else if (d.t === 'set') p.sadd(k, ...d.v);
          else if (d.t === 'zset') p.zadd(k, ...d.v.flatMap(([m, sc]) => [String(sc === Infinity ? '+inf' : sc === -Infinity ? '-inf' : sc), m]));
          else p.hset(k, Object.fromEntries(d.v));
        }
        await p.exec();
        const decoded = decodeAll(readFileSync(await saveRdb(server, c)));
        const want = Object.fromEntries(
          Object.entries(data).map(([k, d]) => {
            if (d.t === 'set') return [k, [...d.v].sort()];
            if (d.t === 'zset') return [k, [...d.v].map(([m, sc]) => [m, Object.is(sc, -0) ? 0 : sc] as const).sort((a, b) => a[1] - b[1] || Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0]))).map(([m, sc]) => [Buffer.from(m).toString('latin1'), sc])];
            if (d.t === 'hash') return [k, Object.fromEntries(d.v.map(([f, v]) => [Buffer.from(f).toString('latin1'), Buffer.from(v).toString('latin1')]).sort())];
            if (d.t === 'list') return [k, d.v.map((x) => Buffer.from(x).toString('latin1'))];
            return [k, Buffer.from(d.v).toString('latin1')];
          }),
        );
        expect(decoded).toEqual(Object.fromEntries(Object.entries(want).map(([k, v]) => [Buffer.from(k).toString('latin1'), v])));
      }),
      { numRuns: 25 },
    );
  });

  it('every truncation and flipped byte of a real file is refused with an offset, never misread', async () => {
    await c.flushall();
    await writeEveryEncoding(c);
    const file = readFileSync(await saveRdb(server, c));
    const rnd = fc.sample(fc.integer({ min: 0, max: file.length - 1 }), { numRuns: 300, seed: 42 });
    const cases = [...rnd.map((cut) => file.subarray(0, cut)), ...rnd.map((at, i) => {
      const bad = Buffer.from(file);
      bad[at] = bad[at]! ^ (1 << (i % 8));
      return bad;
    })];
    for (const bad of cases) {
      let error: unknown = null;
      try {
        parseAll(bad, 997, false);
      } catch (e) {
        error = e;
      }
      // A flipped type byte can read as a module type (the file's bytes change from run to run with
      // its TTLs and stream ids): that is refused as well, as RdbUnsupportedError, with its offset.
      const refused = error instanceof RdbFormatError || (error instanceof RdbUnsupportedError && /module type/.test(error.message));
      expect(refused, `${bad.length} bytes: ${String(error)}`).toBe(true);
      expect((error as RdbFormatError).offset).toBeGreaterThanOrEqual(0);
      expect((error as RdbFormatError).offset).toBeLessThanOrEqual(file.length);
    }
  });
});

describe('the handcrafted old-format fixtures, loaded by a real redis-server 7.0', () => {
  for (const make of [ziplistEraFixture, quicklistEraFixture]) {
    it(make().name, async () => {
      const f = make();
      const dir = mkdtempSync(join(tmpdir(), 'slotpilot-fixture-'));
      writeFileSync(join(dir, 'old.rdb'), f.file);
      const loaded = await startStandalone(['--dir', dir, '--dbfilename', 'old.rdb']);
      const lc = loaded.client();
      try {
        await lc.connect();
        const keys = ((await lc.keys('*')) as string[]).sort();
        expect(keys).toEqual(Object.keys(f.values).filter((k) => k !== 'db3:key').sort());
        const held = await readAll(lc, keys);
        const decoded = decodeAll(f.file);
        for (const k of keys) expect(held[k]!.value, k).toEqual(decoded[k]);
        for (const [k, at] of Object.entries(f.expiries)) expect(Math.abs(held[k]!.pttl - (at - Date.now()))).toBeLessThan(2000);
      } finally {
        lc.disconnect();
        loaded.stop();
      }
    });
  }
});
