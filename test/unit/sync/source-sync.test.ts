/**
 * One source synced end to end without redis-server: a scripted primary on loopback sends a full
 * resync (`$<len>` snapshot, then a stream), two scripted masters answer every command; the
 * snapshot's keys arrive as RESTOREs on the masters owning their slots, the stream after them in
 * order, and the checkpoint ends at the stream's last byte.
 */
import calculateSlot from 'cluster-key-slot';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import RedisParser from 'redis-parser';
import { afterEach, describe, expect, it } from 'vitest';
import type { PreparedRdbImport } from '../../../src/import/rdb-targets.js';
import { targetFormatOf } from '../../../src/rdb/target-format.js';
import { connectNode } from '../../../src/redis/connection.js';
import { PipeConnection } from '../../../src/redis/pipe-connection.js';
import { SourceSync } from '../../../src/sync/sync-source.js';
import type { SyncEvent } from '../../../src/sync/events.js';
import { RdbFile, str } from '../../helpers/rdb-builder.js';
import { waitFor } from '../../helpers/wait-for.js';
import { resp, TABLE } from './command-fixtures.js';

const servers: Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function listen(onCommand: (s: Socket, args: Buffer[]) => void): Promise<number> {
  const server = createServer((s) => {
    const parser = new RedisParser({ returnBuffers: true, returnReply: (args: Buffer[]) => onCommand(s, args), returnError: () => undefined });
    s.on('data', (d) => parser.execute(d));
    s.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

/** A master that answers +OK to everything (PONG to PING, an array to EXEC) and records what it got. */
async function master(log: string[]): Promise<number> {
  let queued = 0;
  return listen((s, args) => {
    const name = args[0]!.toString().toUpperCase();
    if (!['PING', 'CLIENT', 'AUTH'].includes(name)) log.push(args.map(String).join(' ').slice(0, 40));
    if (name === 'PING') s.write('+PONG\r\n');
    else if (name === 'MULTI') (queued = 0), s.write('+OK\r\n');
    else if (name === 'EXEC') s.write(`*${queued}\r\n${'+OK\r\n'.repeat(queued)}`);
    else if (queued >= 0 && log.at(-2)?.startsWith('MULTI')) (queued++, s.write('+QUEUED\r\n'));
    else s.write('+OK\r\n');
  });
}

describe('one source, end to end against scripted servers', () => {
  it('writes the snapshot, then the stream in order, and checkpoints the last offset', async () => {
    const logA: string[] = [];
    const logB: string[] = [];
    const [pa, pb] = [await master(logA), await master(logB)];
    const ID = 'd'.repeat(40);
    const rdb = new RdbFile(10).selectDb(0).key(0, 'a', str('1')).key(0, 'b', str('2')).key(0, 'c', str('3')).end();
    const stream = Buffer.concat([resp('SELECT', '0'), resp('SET', 'a', '9'), resp('DEL', 'b', 'c'), resp('PING')]);
    const primary = await listen((s, args) => {
      const name = args[0]!.toString().toUpperCase();
      if (name === 'PING') s.write('+PONG\r\n');
      else if (name === 'PSYNC') {
        s.write(`+FULLRESYNC ${ID} 500\r\n\n$${rdb.length}\r\n`);
        s.write(Buffer.concat([rdb, stream]));
      } else if (name !== 'REPLCONF' || args[1]!.toString() !== 'ACK') s.write('+OK\r\n');
    });
    const addrs = { A: `127.0.0.1:${pa}`, B: `127.0.0.1:${pb}` };
    const targets = new Map(await Promise.all(Object.entries(addrs).map(async ([id, addr]) => {
      const hp = { host: '127.0.0.1', port: Number(addr.split(':')[1]) };
      return [id, { id, addr, client: await connectNode(hp, {}), pipe: await PipeConnection.open(hp, {}, 'test') }] as const;
    })));
    const slotOwners = Array.from({ length: 16384 }, (_, s) => (s < 8192 ? 'A' : 'B'));
    const format = targetFormatOf(new Map([['redis_version', '7.0.15']]));
    const prep = { seed: addrs.A, slotOwners, targets, nodeAddrs: [], topology: null as never, formats: new Map([['A', format], ['B', format]]), close: () => undefined } as unknown as PreparedRdbImport;
    const events: SyncEvent[] = [];
    const source = new SourceSync({
      addr: { host: '127.0.0.1', port: primary },
      conn: {},
      resume: null,
      db: 0,
      match: null,
      matchFilter: null,
      replace: false,
      allowFlush: false,
      clusterSource: false,
      prep,
      applyTargets: new Map([...targets].map(([id, t]) => [id, { addr: t.addr, pipe: t.pipe }])),
      table: TABLE,
      getKeys: async () => [],
      spillDir: mkdtempSync(`${tmpdir()}/sp-ss-`),
      bufferBytes: 1 << 20,
      batch: 1000,
      inFlight: 2,
      reconnectTimeoutMs: 1000,
      emit: (e) => events.push(e),
    });
    const running = source.run();
    await waitFor('the stream to be applied', () => source.appliedOffset === 500 + stream.length);
    source.tick(Date.now());
    expect(source.phase).toBe('streaming');
    expect(source.checkpoint()).toEqual({ replid: ID, offset: 500 + stream.length, db: 0 });
    const on = (k: string): string[] => (calculateSlot(k) < 8192 ? logA : logB);
    for (const k of ['a', 'b', 'c']) expect(on(k).some((l) => l.startsWith(`RESTORE ${k} 0`))).toBe(true);
    expect(on('a').findIndex((l) => l === 'SET a 9')).toBeGreaterThan(on('a').findIndex((l) => l.startsWith('RESTORE a')));
    expect([...logA, ...logB].filter((l) => l.startsWith('DEL')).sort()).toEqual(['DEL b', 'DEL c']); // two slots: one DEL per slot
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['psync', 'full-sync-done']));
    expect(source.status(Date.now())).toMatchObject({ keys: 3, commands: 2, skipped: 1 });
    source.stop();
    await running;
    for (const t of targets.values()) {
      t.client.disconnect();
      t.pipe.destroy();
    }
  });
});
