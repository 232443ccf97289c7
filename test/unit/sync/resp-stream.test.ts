import { describe, expect, it } from 'vitest';
import { encodeArgs, RespStreamParser } from '../../../src/sync/resp-stream.js';
import { SyncStopError } from '../../../src/sync/errors.js';
import { resp } from './command-fixtures.js';

describe('RESP stream parser', () => {
  it('cuts commands with the offset each ends at, whatever the chunking', () => {
    const bytes = Buffer.concat([resp('SELECT', '0'), resp('SET', 'k', 'v\r\nx'), resp('PING')]);
    const ends = [resp('SELECT', '0').length, resp('SELECT', '0').length + resp('SET', 'k', 'v\r\nx').length, bytes.length].map((n) => 100 + n);
    for (const size of [1, 3, 7, bytes.length]) {
      const p = new RespStreamParser(100);
      const got = [];
      for (let i = 0; i < bytes.length; i += size) got.push(...p.push(bytes.subarray(i, i + size)));
      expect(got.map((c) => c.name)).toEqual(['select', 'set', 'ping']);
      expect(got.map((c) => c.offset)).toEqual(ends);
      expect(got[1]!.args.map(String)).toEqual(['SET', 'k', 'v\r\nx']);
      expect(Buffer.concat(got.map((c) => c.raw)).equals(bytes)).toBe(true);
      expect(p.offset).toBe(100 + bytes.length);
      expect(p.pendingBytes).toBe(0);
    }
  });

  it('holds an incomplete command, and refuses bytes that are not RESP, naming the offset', () => {
    const p = new RespStreamParser(0);
    expect(p.push(Buffer.from('*2\r\n$3\r\nGET'))).toEqual([]);
    expect(p.pendingBytes).toBe(11);
    expect(p.push(Buffer.from('\r\n$1\r\nk\r\n'))[0]!.offset).toBe(20);
    expect(() => p.push(Buffer.from('+OK\r\n'))).toThrow(SyncStopError);
    expect(() => new RespStreamParser(10).push(Buffer.from('*1\r\n$x\r\n'))).toThrow(/offset 16/);
  });

  it('encodes arguments back to the same RESP', () => {
    expect(encodeArgs([Buffer.from('DEL'), Buffer.from('a'), Buffer.from('ü')]).equals(resp('DEL', 'a', 'ü'))).toBe(true);
  });
});
