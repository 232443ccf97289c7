import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cluster.js';

const A = 'a1b2c3d4'.repeat(5);
const B = 'a1b2c3d4e5'.padEnd(40, '0');
const C = 'c'.repeat(40);
const dir = mkdtempSync(join(tmpdir(), 'slotpilot-plan-'));
const dump = join(dir, 'nodes.txt');
writeFileSync(
  dump,
  [
    `${A} 10.0.0.1:6379@16379 myself,master - 0 0 1 connected 0-8191`,
    `${B} 10.0.0.2:6379@16379 master - 0 0 2 connected 8192-16383`,
    `${C} 10.0.0.3:6379@16379 slave ${A} 0 0 1 connected`,
  ].join('\n'),
);
const garbage = join(dir, 'garbage.txt');
writeFileSync(garbage, 'hello world\n');
const single = join(dir, 'single.txt');
writeFileSync(single, `${A} 10.0.0.1:6379@16379 myself,master - 0 0 1 connected 0-16383\n`);

describe('plan from a cluster nodes dump (offline)', () => {
  it('writes a deterministic plan file and a table', async () => {
    const args = ['plan', '--topology', dump, '--strategy', 'move', '--from', '10.0.0.1:6379', '--to', '10.0.0.2:6379', '--count', '10'];
    const r1 = await runCli([...args, '-o', join(dir, 'p1.json')]);
    const r2 = await runCli([...args, '-o', join(dir, 'p2.json')]);
    expect(r1.code).toBe(0);
    expect(r1.stdout).toMatch(/moves: 10 slots, keys unknown/);
    expect(readFileSync(join(dir, 'p1.json'), 'utf8')).toBe(readFileSync(join(dir, 'p2.json'), 'utf8'));
    expect(r2.code).toBe(0);
  });

  it.each([
    [['--strategy', 'drain', '--node', '10.9.9.9:1'], /not a node of this cluster/],
    [['--strategy', 'drain', '--node', 'a1b2c3d4'], /ambiguous/],
    [['--strategy', 'drain', '--node', 'a1b2'], /at least 8 characters/],
    [['--strategy', 'move', '--from', '10.0.0.1:6379', '--to', '10.0.0.2:6379', '--slots', '16384'], /out of range/],
    [['--strategy', 'move', '--from', '10.0.0.1:6379', '--to', '10.0.0.1:6379', '--count', '1'], /same node/],
    [['--strategy', 'move', '--from', '10.0.0.1:6379', '--to', '10.0.0.3:6379', '--count', '1'], /is a replica/],
    [['--strategy', 'move', '--from', '10.0.0.1:6379', '--to', '10.0.0.2:6379', '--count', '9000'], /more than the 8192 slots/],
    [['--strategy', 'move', '--from', '10.0.0.1:6379', '--to', '10.0.0.2:6379', '--slots', '9000'], /not owned by --from/],
    [['--strategy', 'rebalance', '--weight', '10.0.0.1:6379=-1'], /Expected --weight/],
    [['--strategy', 'rebalance', '--weight', '10.0.0.1:6379=abc'], /Expected --weight/],
    [['--strategy', 'rebalance', '--by', 'keys'], /needs per-slot key counts/],
    [['--strategy', 'nonsense'], /Invalid values|choices/i],
  ])('exit 2 with one line for %j', async (extra, message) => {
    const r = await runCli(['plan', '--topology', dump, ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('refuses draining the last master and a file that is neither format', async () => {
    const last = await runCli(['plan', '--topology', single, '--strategy', 'drain', '--node', '10.0.0.1:6379']);
    expect(last.code).toBe(2);
    expect(last.stderr).toMatch(/last master/);
    const bad = await runCli(['plan', '--topology', garbage, '--strategy', 'rebalance']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/neither a slotpilot snapshot nor cluster nodes output/);
  });
});
