/** A plain (non-cluster) redis-server for refusals and `import` sources. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { findFreePorts } from '../../scripts/lib/free-ports.js';
import { ensureRedisServer } from '../../scripts/lib/redis-binary.js';

export interface StandaloneRedis {
  readonly port: number;
  readonly addr: string;
  client(): Redis;
  stop(): void;
}

export async function startStandalone(extraArgs: readonly string[] = []): Promise<StandaloneRedis> {
  const [port] = await findFreePorts(1);
  const dir = mkdtempSync(join(tmpdir(), 'slotpilot-standalone-'));
  const child = spawn(ensureRedisServer(), ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs], { stdio: 'ignore' });
  const client = (): Redis => {
    const c = new Redis({ host: '127.0.0.1', port: port!, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 1 });
    c.on('error', () => {});
    return c;
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const c = client();
    try {
      await c.connect();
      // Ours, not another test's server that holds the port because ours could not bind it.
      const pid = /process_id:(\d+)/.exec(await c.info('server'))?.[1];
      if (pid !== String(child.pid)) throw new Error(`127.0.0.1:${port} answers as pid ${pid}, not the redis-server started for this test (${child.pid}); ${child.exitCode === null ? 'still starting' : `it exited with ${child.exitCode}`}`);
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      c.disconnect();
    }
  }
  return {
    port: port!,
    addr: `127.0.0.1:${port}`,
    client,
    stop() {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
