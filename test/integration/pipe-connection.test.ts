import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnreachableError } from '../../src/errors.js';
import { encodeCommand, PipeConnection } from '../../src/redis/pipe-connection.js';
import { startStandalone, type StandaloneRedis } from '../helpers/standalone.js';

// A real server: replies must come back in order, errors as Redis words them, secrets never echoed.
describe('PipeConnection against redis-server', () => {
  let plain: StandaloneRedis;
  let locked: StandaloneRedis;
  beforeAll(async () => {
    plain = await startStandalone();
    locked = await startStandalone();
    const admin = locked.client();
    await admin.config('SET', 'requirepass', 'pipe-secret-123');
    admin.disconnect();
  });
  afterAll(() => {
    plain?.stop();
    locked?.stop();
  });

  it('answers many commands of one turn in order, with Redis errors as rejections', async () => {
    const c = await PipeConnection.open({ host: '127.0.0.1', port: plain.port }, {}, 'test');
    try {
      const sets = Array.from({ length: 500 }, (_, i) => c.call('SET', `k${i}`, `v${i}é`));
      const gets = Array.from({ length: 500 }, (_, i) => c.call('GET', `k${i}`));
      const bad = c.call('INCR', 'k1');
      expect(await Promise.all(sets)).toEqual(Array(500).fill('OK'));
      expect(await Promise.all(gets)).toEqual(Array.from({ length: 500 }, (_, i) => `v${i}é`));
      await expect(bad).rejects.toThrow(/not an integer/);
      expect(await c.call('DBSIZE')).toBe(500);
      expect(c.pending).toBe(0);
    } finally {
      c.destroy();
    }
  });

  it('callBuffers: key names come back with their bytes, and work as arguments again', async () => {
    const c = await PipeConnection.open({ host: '127.0.0.1', port: plain.port }, {}, 'test');
    try {
      await c.call('SELECT', '3'); // away from the other tests' keys
      const names = [Buffer.from([0x62, 0xff, 0xfe, 0x31]), Buffer.from('plain'), Buffer.from([0xc3, 0x28])];
      await Promise.all(names.map((k) => c.call('SET', k, 'v')));
      const keys = (await c.callBuffers('KEYS', '*')) as Buffer[];
      expect(keys.every((k) => Buffer.isBuffer(k))).toBe(true);
      expect(keys.map((k) => k.toString('hex')).sort()).toEqual(names.map((k) => k.toString('hex')).sort());
      // Decoded as text the first and last would be other names (U+FFFD), which do not exist.
      expect(await c.call('EXISTS', ...keys)).toBe(3);
      expect(await c.call('EXISTS', ...keys.map((k) => k.toString()))).toBe(1);
      expect(await c.callBuffers('PING')).toEqual(Buffer.from('PONG'));
      expect(await c.call('PING')).toBe('PONG');
      // Text and bytes interleaved in one write, around a reply too big for one socket chunk: each
      // reply comes back the way its own command asked.
      const many = Array.from({ length: 20000 }, (_, i) => `member:${i}:${'x'.repeat(20)}`);
      await c.call('SADD', 'big', ...many);
      const [t1, b1, t2, b2, t3] = await Promise.all([c.call('GET', keys[1]!), c.callBuffers('SMEMBERS', 'big'), c.call('SMEMBERS', 'big'), c.callBuffers('GET', names[0]!), c.call('GET', names[2]!)]);
      expect(t1).toBe('v');
      expect((b1 as Buffer[]).every((m) => Buffer.isBuffer(m))).toBe(true);
      expect((b1 as Buffer[]).map(String).sort()).toEqual([...many].sort());
      expect((t2 as string[]).every((m) => typeof m === 'string')).toBe(true);
      expect((t2 as string[]).length).toBe(20000);
      expect(b2).toEqual(Buffer.from('v'));
      expect(t3).toBe('v');
      // The last reply parsed as bytes leaves no mode behind for the next command, encoded or not.
      await c.callBuffers('PING');
      expect(await c.callEncoded(Buffer.from(encodeCommand(['GET', keys[1]!])), 1)).toEqual([[null, 'v']]);
      await c.callBuffers('PING');
      expect(await c.call('PING')).toBe('PONG');
    } finally {
      c.destroy();
    }
  });

  it('callEncoded: a batch of pre-encoded commands answers each in order, a Redis error only its own', async () => {
    const c = await PipeConnection.open({ host: '127.0.0.1', port: plain.port }, {}, 'test');
    try {
      const before = c.call('SET', 'batch:n', 'x');
      const encoded = Buffer.concat(['SET batch:a 1', 'INCR batch:n', 'GET batch:a'].map((cmd) => Buffer.from(encodeCommand(cmd.split(' ')))));
      const replies = await c.callEncoded(encoded, 3);
      expect(await before).toBe('OK');
      expect(replies[0]).toEqual([null, 'OK']);
      expect(replies[1]![0]?.message).toMatch(/not an integer/);
      expect(replies[2]).toEqual([null, '1']);
      expect(await c.callEncoded(Buffer.alloc(0), 0)).toEqual([]);
      expect(c.pending).toBe(0);
      const lost = c.callEncoded(Buffer.from(encodeCommand(['BLPOP', 'nothing', '0'])), 1);
      c.destroy();
      await expect(lost).rejects.toThrow(/Connection is closed/);
    } finally {
      c.destroy();
    }
  });

  it('fails waiting and later commands once closed', async () => {
    const c = await PipeConnection.open({ host: '127.0.0.1', port: plain.port }, {}, 'test');
    const waiting = c.call('BLPOP', 'nothing', '0');
    c.destroy('Connection is closed: test');
    await expect(waiting).rejects.toThrow('Connection is closed: test');
    await expect(c.call('PING')).rejects.toThrow('Connection is closed: test');
  });

  it('authenticates, and reports a refused connection or a wrong password in one line without the password', async () => {
    const ok = await PipeConnection.open({ host: '127.0.0.1', port: locked.port }, { password: 'pipe-secret-123' }, 'test');
    expect(await ok.call('PING')).toBe('PONG');
    ok.destroy();
    const wrong = await PipeConnection.open({ host: '127.0.0.1', port: locked.port }, { password: 'not-it-456' }, 'test').catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(UnreachableError);
    expect(String((wrong as Error).message)).toMatch(/authentication failed/);
    expect(String((wrong as Error).message)).not.toContain('not-it-456');
    const none = await PipeConnection.open({ host: '127.0.0.1', port: locked.port }, {}, 'test').catch((e: unknown) => e);
    expect(String((none as Error).message)).toMatch(/authentication required/);
    const refused = await PipeConnection.open({ host: '127.0.0.1', port: 1 }, {}, 'test').catch((e: unknown) => e);
    expect(String((refused as Error).message)).toBe('cannot reach 127.0.0.1:1: connection refused');
  });
});
