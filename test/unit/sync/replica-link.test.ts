/**
 * The replica link against a scripted primary on loopback (no redis-server): the handshake in
 * order, a diskless snapshot cut at its end mark, the stream after it, and ACKs on the way back.
 */
import { createServer, type Socket } from 'node:net';
import RedisParser from 'redis-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { ReplicaLink } from '../../../src/sync/replica-link.js';
import { PsyncRefusedError } from '../../../src/sync/errors.js';
import { resp } from './command-fixtures.js';

const ID = 'c'.repeat(40);
const MARK = 'm'.repeat(40);
let close: (() => void) | null = null;
afterEach(() => close?.());

/** A primary that answers the handshake and then runs `after` on the socket. */
async function primary(onPsync: (s: Socket, args: string[]) => void, refuse: string | null = null): Promise<{ port: number; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((s) => {
    const parser = new RedisParser({
      returnReply: (args: string[]) => {
        seen.push(args.join(' '));
        const name = args[0]!.toUpperCase();
        if (name === 'PING') s.write('+PONG\r\n');
        else if (name === 'PSYNC') {
          if (refuse) s.write(`-${refuse}\r\n`);
          else onPsync(s, args);
        } else if (name === 'REPLCONF' && args[1] === 'ACK') return;
        else s.write('+OK\r\n');
      },
      returnError: () => undefined,
    });
    s.on('data', (d) => parser.execute(d));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  close = () => server.close();
  return { port: (server.address() as { port: number }).port, seen };
}

describe('replica link', () => {
  it('does the handshake, takes a diskless snapshot then the stream, and ACKs', async () => {
    const rdb = Buffer.from('REDIS0010 pretend snapshot bytes');
    const stream = Buffer.concat([resp('SELECT', '0'), resp('SET', 'k', 'v')]);
    const p = await primary((s) => {
      s.write(`+FULLRESYNC ${ID} 100\r\n\n\n$EOF:${MARK}\r\n`);
      s.write(rdb.subarray(0, 10));
      setTimeout(() => s.write(Buffer.concat([rdb.subarray(10), Buffer.from(MARK.slice(0, 5))])), 5);
      setTimeout(() => s.write(MARK.slice(5)), 10);
      setTimeout(() => s.write(stream), 30);
    });
    const { link, early } = await ReplicaLink.open({ host: '127.0.0.1', port: p.port }, {}, null);
    expect(link.reply).toEqual({ kind: 'full', replid: ID, offset: 100 });
    const got: Buffer[] = [];
    const streamed: Buffer[] = [];
    let ended = false;
    await new Promise<void>((done) => {
      link.start(
        {
          snapshotStart: (h) => expect(h.kind).toBe('eof'),
          snapshotBytes: async (c) => void got.push(c),
          snapshotEnd: () => {
            ended = true;
            link.ack(100);
          },
          streamBytes: (c) => {
            streamed.push(c);
            if (Buffer.concat(streamed).length === stream.length) done();
          },
          closed: () => undefined,
        },
        early,
      );
    });
    expect(Buffer.concat(got).equals(rdb)).toBe(true);
    expect(ended).toBe(true);
    expect(link.receivedOffset).toBe(100 + stream.length);
    link.ack(link.receivedOffset);
    await new Promise((r) => setTimeout(r, 20));
    const order = ['PING', 'REPLCONF listening-port', 'REPLCONF capa eof capa psync2', 'PSYNC ? -1'].map((x) => p.seen.findIndex((l) => l.startsWith(x)));
    expect(order).toEqual([...order].sort((x, y) => x - y));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(p.seen).toEqual(expect.arrayContaining([expect.stringMatching(/^REPLCONF listening-port \d+$/), 'REPLCONF capa eof capa psync2', 'PSYNC ? -1', 'REPLCONF ACK 100', `REPLCONF ACK ${100 + stream.length}`]));
    link.close();
  });

  it('resumes with PSYNC <replid> <offset+1>, and a refusal says to use import', async () => {
    const p = await primary((s) => s.write('+CONTINUE\r\n'));
    const { link } = await ReplicaLink.open({ host: '127.0.0.1', port: p.port }, {}, { replid: ID, offset: 41 });
    expect(link.reply).toEqual({ kind: 'continue', replid: null });
    expect(p.seen).toContain(`PSYNC ${ID} 42`);
    link.close();
    close?.();
    const q = await primary(() => undefined, "ERR unknown command 'PSYNC'");
    await expect(ReplicaLink.open({ host: '127.0.0.1', port: q.port }, {}, null)).rejects.toThrow(PsyncRefusedError);
    await expect(ReplicaLink.open({ host: '127.0.0.1', port: q.port }, {}, null)).rejects.toThrow(/slotpilot import --from 127\.0\.0\.1:\d+/);
  });
});
