import { describe, expect, it } from 'vitest';
import { parseBulkHeader, parsePsyncReply, psyncCommand, SnapshotFramer } from '../../../src/sync/handshake.js';

const ID = 'a'.repeat(40);

describe('replication handshake', () => {
  it('asks for a full sync or a resume from the applied offset + 1', () => {
    expect(psyncCommand(null)).toEqual(['PSYNC', '?', '-1']);
    expect(psyncCommand({ replid: ID, offset: 41 })).toEqual(['PSYNC', ID, '42']);
  });

  it('reads the primary\'s answers', () => {
    expect(parsePsyncReply(`+FULLRESYNC ${ID} 1234`)).toEqual({ kind: 'full', replid: ID, offset: 1234 });
    expect(parsePsyncReply('+CONTINUE')).toEqual({ kind: 'continue', replid: null });
    expect(parsePsyncReply(`+CONTINUE ${'b'.repeat(40)}`)).toEqual({ kind: 'continue', replid: 'b'.repeat(40) });
    expect(parsePsyncReply('-NOMASTERLINK Can\'t SYNC while not connected with my master')).toMatchObject({ kind: 'retry' });
    expect(parsePsyncReply("-ERR unknown command 'PSYNC'")).toEqual({ kind: 'refused', reason: "ERR unknown command 'PSYNC'" });
    expect(parseBulkHeader('$1024')).toEqual({ kind: 'length', bytes: 1024 });
    expect(parseBulkHeader(`$EOF:${'m'.repeat(40)}`)).toEqual({ kind: 'eof', mark: Buffer.from('m'.repeat(40)) });
    expect(parseBulkHeader('+OK')).toBeNull();
  });

  it('cuts a $<len> snapshot from the stream that follows it', () => {
    const f = new SnapshotFramer({ kind: 'length', bytes: 5 });
    expect(f.push(Buffer.from('abc'))).toEqual({ rdb: Buffer.from('abc'), rest: null });
    expect(f.push(Buffer.from('de*1\r\n'))).toEqual({ rdb: Buffer.from('de'), rest: Buffer.from('*1\r\n') });
    expect(f.done).toBe(true);
  });

  it('finds a diskless snapshot\'s end mark even when it is split between chunks', () => {
    const mark = Buffer.from('0123456789'.repeat(4));
    const all = Buffer.concat([Buffer.from('REDIS0010-snapshot-bytes'), mark, Buffer.from('*1\r\n$4\r\nPING\r\n')]);
    for (const size of [1, 7, 39, 41, all.length]) {
      const f = new SnapshotFramer({ kind: 'eof', mark });
      let rdb = '';
      let rest: Buffer | null = null;
      for (let i = 0; i < all.length && !rest; i += size) {
        const r = f.push(all.subarray(i, i + size));
        rdb += r.rdb.toString();
        if (r.rest) rest = Buffer.concat([r.rest, all.subarray(i + size)]);
      }
      expect(rdb).toBe('REDIS0010-snapshot-bytes');
      expect(rest!.toString()).toBe('*1\r\n$4\r\nPING\r\n');
      expect(f.bytes).toBe(24);
    }
  });
});
