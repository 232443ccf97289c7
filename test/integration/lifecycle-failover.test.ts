import { describe, expect, it } from 'vitest';
import { verifySampleKeys } from '../../scripts/lib/sample-keys.js';
import { FailoverTimeoutError } from '../../src/lifecycle/errors.js';
import { failOver } from '../../src/lifecycle/replication-steps.js';
import { parseAddr } from '../../src/redis/connection.js';
import { readTopology } from '../../src/topology/read-topology.js';
import { runCli, useCluster } from '../helpers/cluster.js';

const KEYS = 1000;

describe('replace-node when the failover cannot complete', () => {
  // A long node timeout: the masters stopped below must not be declared failed meanwhile.
  const cluster = useCluster({ masters: 3, keys: KEYS, nodeTimeoutMs: 20_000, extraConfig: ['repl-diskless-sync-delay 0'] });

  it('times out with a clear error, the old master still master; a re-run then replaces it', async () => {
    const [a, b, c] = cluster().nodes;
    const fresh = await cluster().startLoneNode();
    const add = await runCli(['add-node', '--seed', a!.addr, '--new', fresh.addr, '--replica-of', a!.addr, '--yes']);
    expect(add.code, add.stdout + add.stderr).toBe(0);
    // Without the other masters' votes the election cannot succeed; Redis aborts the manual failover after 5 s.
    process.kill(b!.pid, 'SIGSTOP');
    process.kill(c!.pid, 'SIGSTOP');
    const resume = setTimeout(() => {
      process.kill(b!.pid, 'SIGCONT');
      process.kill(c!.pid, 'SIGCONT');
    }, 9000);
    let error: unknown;
    try {
      await failOver(parseAddr(a!.addr), parseAddr(fresh.addr), a!.id, fresh.id, {}, 2000);
    } catch (e) {
      error = e;
    } finally {
      clearTimeout(resume);
      process.kill(b!.pid, 'SIGCONT');
      process.kill(c!.pid, 'SIGCONT');
    }
    expect(error).toBeInstanceOf(FailoverTimeoutError);
    expect(error).toMatchObject({ promoted: false, oldMaster: a!.id });
    expect((error as Error).message).toMatch(/did not complete within 2 s; the old master .* is still the master and nothing was removed/);
    const t = await readTopology(parseAddr(a!.addr), {}, { keys: false });
    expect(t.nodes.find((n) => n.id === a!.id)).toMatchObject({ role: 'master' });
    expect(t.nodes.find((n) => n.id === fresh.id)).toMatchObject({ role: 'replica', masterId: a!.id });

    const r = await runCli(['replace-node', '--seed', b!.addr, '--old', a!.addr, '--new', fresh.addr, '--yes']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^replicate: .* is already a replica of .* \(already done\)/m);
    const check = await runCli(['check', '--seed', b!.addr]);
    expect(check.code, check.stdout).toBe(0);
    expect(await verifySampleKeys([b!.addr], { count: KEYS })).toEqual([]);
  });
});
