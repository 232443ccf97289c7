/**
 * `slotpilot import --rdb` and `inspect-rdb` against a real 3-master cluster: a file with every
 * encoding redis-server 7.0 writes arrives equal (type, value, TTL) to what that server holds; the
 * handcrafted RDB 6/8/11/12 files arrive as their values (RDB 11 listpack sets and v3 streams
 * re-encoded for 7.0); expired keys are skipped and counted; conflicts stop, --replace overwrites;
 * and every corrupt, truncated, unreadable or unimportable file exits 2 with nothing written.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import calculateSlot from 'cluster-key-slot';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readSlotMap } from '../../scripts/lib/sample-keys.js';
import { countClusterKeys, masterClients, runCli, useCluster } from '../helpers/cluster.js';
import { len, RdbFile, str } from '../helpers/rdb-builder.js';
import { FAR, moduleFixture, quicklistEraFixture, rdb11Fixture, rdb12Fixture, ziplistEraFixture, type Fixture } from '../helpers/rdb-fixtures.js';
import { readAll, readCanonical, saveRdb, startSmallEncodingServer, writeEveryEncoding } from '../helpers/rdb-source.js';
import { expectOneLineError } from '../helpers/secrets.js';
import { decodeFile } from '../helpers/rdb-read.js';

const dir = mkdtempSync(join(tmpdir(), 'slotpilot-import-rdb-'));
const cluster = useCluster({ masters: 3 });
/** The file redis-server wrote, the keys in it and how that server held them. */
let generated: { path: string; keys: string[]; held: Awaited<ReturnType<typeof readAll>> };

beforeAll(async () => {
  const server = await startSmallEncodingServer();
  const c = server.client();
  try {
    await c.connect();
    const keys = await writeEveryEncoding(c);
    generated = { path: await saveRdb(server, c), keys, held: await readAll(c, keys) };
  } finally {
    c.disconnect();
    server.stop();
  }
});

const masters = async (): Promise<Redis[]> => masterClients(cluster());
const clusterKeyCount = (): Promise<number> => countClusterKeys(cluster());

/** Each key read canonically from the master owning it. */
async function readFromCluster(keys: readonly string[]): Promise<Awaited<ReturnType<typeof readAll>>> {
  const seed = cluster().client(cluster().seed);
  const owners = await readSlotMap(seed).finally(() => seed.disconnect());
  const out: Awaited<ReturnType<typeof readAll>> = {};
  for (const k of keys) {
    const c = cluster().client(owners[calculateSlot(Buffer.from(k, 'latin1'))]!);
    out[k] = await readCanonical(c, k).finally(() => c.disconnect());
  }
  return out;
}

const importRdb = (file: string, ...extra: string[]) => runCli(['import', '--seed', cluster().seed, '--rdb', file, '--yes', '--journal', join(dir, `journal-${Date.now()}-${Math.random()}.ndjson`), ...extra]);

function write(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

beforeEach(async () => {
  const clients = await masters();
  await Promise.all(clients.map((c) => c.flushall()));
  for (const c of clients) c.disconnect();
});

afterAll(() => undefined);

describe('slotpilot import --rdb', () => {
  it('imports a redis-server file of every encoding: each key equal (type, value, TTL) to what that server held; a re-run finds them present', async () => {
    const journal = join(dir, 'generated.ndjson');
    const r = await runCli(['import', '--seed', cluster().seed, '--rdb', generated.path, '--yes', '--json', '--journal', journal]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('validate-progress');
    expect(types).toEqual(expect.arrayContaining(['validated', 'import-start', 'batch-done', 'verify', 'import-end']));
    expect(types.indexOf('validated')).toBeLessThan(types.indexOf('import-start'));
    expect(events.find((e) => e.type === 'verify')).toMatchObject({ ok: true });
    expect(events.at(-1)).toMatchObject({ type: 'import-end', summary: { restored: generated.keys.length, expired: 0 } });
    const inCluster = await readFromCluster(generated.keys);
    for (const k of generated.keys) {
      const { pttl, ...rest } = inCluster[k]!;
      const { pttl: was, ...want } = generated.held[k]!;
      expect(rest, k).toEqual(want);
      if (was === -1) expect(pttl, k).toBe(-1);
      else expect(Math.abs(pttl - was), k).toBeLessThan(60_000);
    }
    expect(await clusterKeyCount()).toBe(generated.keys.length);
    const lines = readFileSync(journal, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ kind: 'slotpilot-import-journal', method: 'rdb', from: generated.path });
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: 'import-end' });

    const again = await importRdb(generated.path);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/validated .*RDB 10 \(redis\).*checksum ok/);
    expect(again.stdout).toMatch(new RegExp(`done: 0 keys imported .*${generated.keys.length} already present`));
  });

  it.each([
    ['RDB 6 (zipmap, ziplists, intset, text scores)', ziplistEraFixture],
    ['RDB 8 (quicklist of ziplists, binary scores)', quicklistEraFixture],
    ['RDB 11 (listpack sets and v3 streams, re-encoded for Redis 7.0)', rdb11Fixture],
  ])('imports the handcrafted %s file, every key as its value with its TTL', async (_, make: () => Fixture) => {
    const f = make();
    const r = await importRdb(write(`${f.name.slice(0, 6)}.rdb`, f.file), '--db', '0');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const decoded = decodeFile(f.file);
    const db0 = Object.keys(f.values).filter((k) => k !== 'db3:key');
    if (make === rdb11Fixture) expect(r.stdout).toMatch(/3 re-encoded for their master/);
    const held = await readFromCluster(db0);
    for (const k of db0) {
      expect(held[k]!.type, k).not.toBe('none');
      const want = decoded[k];
      const got = held[k]!.value;
      if (held[k]!.type === 'stream') expect((got as { entries: unknown }).entries).toEqual((want as { entries: unknown }).entries);
      else if (held[k]!.type === 'set') expect(got).toEqual([...(want as string[])].sort());
      else if (held[k]!.type === 'zset') expect(got).toEqual([...(want as [string, number][])].sort((a, b) => a[1] - b[1]));
      else if (held[k]!.type === 'hash') expect(got).toEqual(Object.fromEntries(Object.entries(want as object).sort()));
      else expect(got, k).toEqual(want);
      const at = f.expiries[k];
      if (at === undefined) expect(held[k]!.pttl, k).toBe(-1);
      else expect(Math.abs(held[k]!.pttl - (at - Date.now())), k).toBeLessThan(5000);
    }
    if (make === rdb11Fixture) {
      const stream = held['stream:v3']!.value as { groups: unknown[] };
      expect(stream.groups).toEqual([{ name: 'grp', lastId: '1000-0', entriesRead: 1, pending: [['1000-0', 'alice', 1]], consumers: [['alice', 1]] }]);
    }
  });

  it('--db and --match pick the keys; keys already expired are skipped and counted', async () => {
    const file = write('mixed.rdb', new RdbFile(9).selectDb(0).key(0, 'a:1', str('x')).key(0, 'b:1', str('y')).key(0, 'a:gone', str('z'), { expireAtMs: Date.now() - 1000 }).key(0, 'a:later', str('w'), { expireAtMs: FAR }).selectDb(2).key(0, 'a:db2', str('v')).end());
    const r = await importRdb(file, '--match', 'a:*');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/validated .*3 keys to import \(1 already expired, skipped\)/);
    expect(r.stdout).toMatch(/done: 2 keys imported .*1 expired \(skipped\)/);
    expect(Object.values(await readFromCluster(['a:1', 'b:1', 'a:gone', 'a:later'])).map((v) => v.type)).toEqual(['string', 'none', 'none', 'string']);
    const db2 = await importRdb(file, '--db', '2');
    expect(db2.code, db2.stderr).toBe(0);
    expect((await readFromCluster(['a:db2']))['a:db2']!.value).toBe('v');
  });

  it('stops at a key that exists with another value, naming it and overwriting nothing; --replace overwrites', async () => {
    const seed = cluster().client(cluster().seed);
    const owners = await readSlotMap(seed).finally(() => seed.disconnect());
    const owner = cluster().client(owners[calculateSlot('hash:listpack')]!);
    await owner.hset('hash:listpack', 'a', 'different');
    try {
      const r = await importRdb(generated.path);
      expect(r.code).toBe(1);
      expectOneLineError(r.stderr);
      expect(r.stderr).toMatch(/key "hash:listpack" already exists in the cluster .* with a different value; nothing was overwritten/);
      expect(await owner.hget('hash:listpack', 'a')).toBe('different');
      const replaced = await importRdb(generated.path, '--replace');
      expect(replaced.code, replaced.stderr).toBe(0);
      expect(await owner.hgetall('hash:listpack')).toEqual({ a: '1', b: 'two', c: '3' });
    } finally {
      owner.disconnect();
    }
  });
});

describe('refused with exit 2, one line, nothing written', () => {
  const nothingWritten = async (): Promise<void> => expect(await clusterKeyCount()).toBe(0);

  it('a missing file, a directory, a non-RDB file, a truncated file, --rdb with --from', async () => {
    const good = readFileSync(generated.path);
    const cases: [string[], RegExp][] = [
      [['--rdb', join(dir, 'missing.rdb')], /cannot read RDB file .*missing\.rdb: no such file/],
      [['--rdb', dir], /it is a directory/],
      [['--rdb', write('text.rdb', Buffer.from('this is not an rdb file\n'))], /not an RDB file \(it starts with "this "/],
      [['--rdb', write('cut.rdb', good.subarray(0, good.length - 30))], /truncated.* at byte offset \d+$/],
      [['--rdb', generated.path, '--from', '127.0.0.1:1'], /--rdb and --from cannot be used together/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['import', '--seed', cluster().seed, ...args, '--yes', '--journal', join(dir, 'refused.ndjson')]);
      expect(r.code, r.stderr).toBe(2);
      expectOneLineError(r.stderr);
      expect(r.stderr.trim()).toMatch(message);
    }
    await nothingWritten();
  });

  it('a corpus of truncated and byte-flipped copies of a real file: each exits 2 with nothing written', async () => {
    const good = readFileSync(generated.path);
    // Offsets spread over the whole file (header, keys, streams, trailer), fixed so runs repeat.
    const offsets = [3, 40, 90, 150, 300, 500, 800, 1200, 1600, 2000, good.length - 9, good.length - 1].map((o) => Math.min(o, good.length - 1));
    const files = offsets.flatMap((o, i) => {
      const flipped = Buffer.from(good);
      flipped[o] = flipped[o]! ^ (1 << (i % 8));
      return [write(`cut-${o}.rdb`, good.subarray(0, o)), write(`flip-${o}.rdb`, flipped)];
    });
    for (let i = 0; i < files.length; i += 4) {
      const results = await Promise.all(files.slice(i, i + 4).map((f) => importRdb(f)));
      for (const r of results) {
        expect(r.code, r.stderr).toBe(2);
        expectOneLineError(r.stderr);
        expect(r.stderr).toMatch(/byte offset \d+/);
      }
    }
    await nothingWritten();
  });

  it('a module value names its module; a field TTL Redis 7.0 cannot keep names the key', async () => {
    const mod = await importRdb(write('module.rdb', moduleFixture()));
    expect(mod.code).toBe(2);
    expectOneLineError(mod.stderr);
    expect(mod.stderr).toMatch(/key "json:1": a value of module type "ReJSON-RL"/);
    const hfe = await importRdb(write('hfe.rdb', rdb12Fixture(Date.now() - 1000).file));
    expect(hfe.code).toBe(2);
    expect(hfe.stderr).toMatch(/key "h:lpex:live": its hash fields have TTLs, which Redis 7\.0\.15 cannot keep/);
    await nothingWritten();
  });

  it('an RDB 12 file whose field TTLs have all passed imports as plain hashes', async () => {
    const past = Date.now() - 1000;
    const file = new RdbFile(12).selectDb(0).key(24, 'h', Buffer.concat([Buffer.from(new BigInt64Array([BigInt(past)]).buffer), len(2), len(1), str('gone'), str('x'), len(0), str('kept'), str('y')])).end();
    const r = await importRdb(write('hfe-past.rdb', file));
    expect(r.code, r.stderr).toBe(0);
    expect((await readFromCluster(['h'])).h!.value).toEqual({ kept: 'y' });
  });
});

describe('slotpilot inspect-rdb', () => {
  it('reports version, aux fields, keys per database and encoding, TTLs, the biggest keys and an estimate', async () => {
    const r = await runCli(['inspect-rdb', generated.path, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { version: number; aux: Record<string, string>; keys: number; withTtl: number; databases: { db: number; encodings: Record<string, number> }[]; biggest: { key: string }[]; estimatedImportSeconds: number; checksumChecked: boolean };
    expect(report).toMatchObject({ version: 10, checksumChecked: true, keys: generated.keys.length + 1, withTtl: 3 });
    expect(report.aux['redis-ver']).toBe('7.0.15');
    expect(Object.keys(report.databases.find((d) => d.db === 0)!.encodings)).toEqual(expect.arrayContaining(['set/intset', 'zset/listpack', 'zset/skiplist (binary scores)', 'hash/listpack', 'hash/hashtable', 'list/quicklist (listpacks)', 'stream/stream v2']));
    expect(report.biggest).toHaveLength(10);
    expect(report.biggest[0]!.key).toBe('list:quicklist');
    expect(report.estimatedImportSeconds).toBeGreaterThan(0);
    const text = await runCli(['inspect-rdb', generated.path]);
    expect(text.stdout).toMatch(/RDB version 10 \(redis\), checksum ok/);
    expect(text.stdout).toMatch(/estimated import into a cluster/);
    const bad = await runCli(['inspect-rdb', join(dir, 'nope.rdb')]);
    expect(bad.code).toBe(2);
    expectOneLineError(bad.stderr);
  });
});

describe('slotpilot import --rdb into a cluster with a password', () => {
  const PW = 'rdb-cluster-s3cret';
  const secure = useCluster({ masters: 3, password: PW });

  it('logs in to every master and never prints or journals the password', async () => {
    const journal = join(dir, 'secure.ndjson');
    const r = await runCli(['import', '--seed', secure().seed, '--rdb', generated.path, '--yes', '--json', '--journal', journal], { env: { SLOTPILOT_PASSWORD: PW } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/"type":"verify","t":\d+,"ok":true/);
    for (const text of [r.stdout, readFileSync(journal, 'utf8')]) expect(text).not.toContain(PW);
    const wrong = await runCli(['import', '--seed', secure().seed, '--rdb', generated.path, '--yes', '--password', 'nope']);
    expect(wrong.code).toBe(1);
    expectOneLineError(wrong.stderr);
    expect(wrong.stderr).not.toContain('nope');
  });
});
