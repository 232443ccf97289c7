import { describe, expect, it } from 'vitest';
import { RdbFormatError, RdbUnsupportedError } from '../../../src/rdb/errors.js';
import { RdbParser } from '../../../src/rdb/parser.js';
import { len, RdbFile, str } from '../../helpers/rdb-builder.js';
import { moduleFixture, quicklistEraFixture, rdb11Fixture, rdb12Fixture, ziplistEraFixture } from '../../helpers/rdb-fixtures.js';
import { keysOf, parseAll } from '../../helpers/rdb-read.js';

/** The error parsing `buf` (in chunks of `chunk`) raises. */
function failure(buf: Buffer, chunk = buf.length, totalBytes: number | undefined = buf.length): RdbFormatError {
  const p = new RdbParser({ deep: true, totalBytes });
  try {
    for (let i = 0; i < buf.length; i += chunk) p.push(buf.subarray(i, i + chunk));
    p.end();
  } catch (error) {
    if (error instanceof RdbFormatError) return error;
    throw error;
  }
  throw new Error('parsed without error');
}

describe('RdbParser', () => {
  const fixtures = [ziplistEraFixture(), quicklistEraFixture(), rdb11Fixture(), rdb12Fixture(1000)];

  it('gives the same entries whatever the chunk size, with absolute offsets', () => {
    for (const f of fixtures) {
      // Key entries' names and values are views made on demand: compare them as bytes.
      const bytes = (entries: ReturnType<typeof parseAll>): unknown[] => entries.map((e) => (e.kind === 'key' ? { ...e, key: e.key.toString('hex'), value: e.value.toString('hex') } : e));
      const whole = parseAll(f.file);
      for (const chunk of [1, 3, 64]) expect(bytes(parseAll(f.file, chunk))).toEqual(bytes(whole));
      // The write pass steps over values without checking them (skip-value.ts): the same boundaries.
      expect(bytes(parseAll(f.file, 7, false))).toEqual(bytes(whole));
      for (const k of keysOf(whole)) expect(f.file[k.valueOffset - 1 - k.key.length]).toBe(k.key.length);
    }
  });

  it('reports header, AUX, SELECTDB, RESIZEDB, FUNCTION2, SLOT_INFO, MODULE_AUX, SLOT_IMPORT and EOF', () => {
    expect(parseAll(quicklistEraFixture().file).map((e) => e.kind)).toEqual(['header', 'aux', 'aux', 'select-db', 'resize-db', 'key', 'key', 'key', 'select-db', 'key', 'eof']);
    expect(parseAll(rdb11Fixture().file).map((e) => e.kind)).toContain('function');
    expect(parseAll(rdb12Fixture(1).file).find((e) => e.kind === 'slot-info')).toMatchObject({ slot: 866, keys: 2, expires: 0 });
    expect(parseAll(moduleFixture()).find((e) => e.kind === 'module-aux')).toMatchObject({ module: 'ReJSON-RL' });
    const valkey = new RdbFile(80, 'VALKEY').raw(Buffer.from([243]), str('job-1'), len(1), len(0), len(100)).selectDb(0).key(0, 'k', str('v')).end();
    expect(parseAll(valkey).find((e) => e.kind === 'slot-import')).toMatchObject({ ranges: [[0, 100]] });
    const eof = parseAll(valkey).at(-1);
    expect(eof).toMatchObject({ kind: 'eof', checksumChecked: true });
  });

  it('accepts a file saved without checksum (zeros) and says it was not checked', () => {
    const file = new RdbFile(9).selectDb(0).key(0, 'k', str('v')).end(false);
    expect(parseAll(file).at(-1)).toMatchObject({ kind: 'eof', checksumChecked: false });
  });

  it('refuses what is not an RDB or not a version it reads, at the offending byte', () => {
    expect(failure(Buffer.from('hello world, not redis'))).toMatchObject({ offset: 0, reason: expect.stringMatching(/not an RDB file \(it starts with "hello"/) });
    expect(failure(new RdbFile(5).end())).toMatchObject({ offset: 5, reason: expect.stringMatching(/RDB version "0005"/) });
    expect(failure(new RdbFile(13).end())).toMatchObject({ reason: expect.stringMatching(/"0013"/) });
    expect(failure(new RdbFile(81, 'VALKEY').end())).toMatchObject({ offset: 6 });
    expect(failure(Buffer.from('RED'))).toMatchObject({ reason: expect.stringMatching(/truncated/) });
  });

  it('refuses an unknown opcode or type, a type newer than the file, and a checksum mismatch', () => {
    const unknown = new RdbFile(9).selectDb(0).raw(Buffer.from([8])).end();
    expect(failure(unknown)).toMatchObject({ offset: 11, reason: 'unknown opcode or value type 8' });
    const tooNew = new RdbFile(9).selectDb(0).key(20, 's', str('x')).end();
    expect(failure(tooNew).reason).toMatch(/value type 20 \(set, listpack\) appeared in RDB 11, this file is RDB 9/);
    const flipped = Buffer.from(ziplistEraFixture().file);
    flipped[20] = flipped[20]! ^ 0x01;
    const e = failure(flipped);
    expect(e.message).toMatch(/not a valid RDB: .* at byte offset \d+$/);
    const good = Buffer.from(ziplistEraFixture().file);
    good[good.length - 1] = good[good.length - 1]! ^ 0xff;
    expect(failure(good)).toMatchObject({ offset: good.length - 8, reason: expect.stringMatching(/checksum mismatch/) });
  });

  it('refuses a truncated file at any cut, with or without the size known up front, in any chunking', () => {
    const file = rdb11Fixture().file;
    for (let cut = 0; cut < file.length; cut++) {
      const part = file.subarray(0, cut);
      expect(failure(part, 5).reason).toMatch(/truncated|not an RDB/);
      expect(failure(part, 7, undefined).reason).toMatch(/truncated|not an RDB/);
    }
  });

  it('refuses bytes after the trailer, and a length running past the end of the file at once', () => {
    const file = quicklistEraFixture().file;
    expect(failure(Buffer.concat([file, Buffer.from('x')])).reason).toMatch(/1 more bytes after the end/);
    const huge = new RdbFile(9).selectDb(0).raw(Buffer.from([0]), str('k'), Buffer.from([0x80, 0x7f, 0, 0, 0])).end();
    const p = new RdbParser({ totalBytes: huge.length });
    expect(() => p.push(huge)).toThrow(/truncated: 2130706432 bytes needed, the input ends at byte/);
  });

  it('refuses pre-GA modules and functions with a clear reason', () => {
    const pre = new RdbFile(8).selectDb(0).key(6, 'm', len(123456789n << 10n)).end();
    expect(() => parseAll(pre)).toThrow(RdbUnsupportedError);
    expect(() => parseAll(new RdbFile(10).raw(Buffer.from([246])).end())).toThrow(/release candidate/);
  });

  it('buffers a large value geometrically, not once per chunk', () => {
    const big = 'x'.repeat(3_000_000);
    const file = new RdbFile(9).selectDb(0).key(0, 'big', str(big)).key(0, 'small', str('s')).end();
    const p = new RdbParser({ totalBytes: file.length });
    let calls = 0;
    const keys = [];
    for (let i = 0; i < file.length; i += 1024) {
      const got = p.push(file.subarray(i, i + 1024));
      if (got.length) calls++;
      keys.push(...got);
    }
    keys.push(...p.end());
    expect(keysOf(keys).map((k) => [k.key.toString(), k.value.length])).toEqual([['big', 3_000_005], ['small', 2]]);
    expect(calls).toBeLessThan(5);
  });
});
