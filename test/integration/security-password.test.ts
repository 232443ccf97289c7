/**
 * requirepass/masterauth: slotpilot authenticates with --password, SLOTPILOT_PASSWORD or
 * REDISCLI_AUTH, passes the password to MIGRATE (AUTH) so sources can log in to targets, and never
 * shows it: not in stdout, stderr, NDJSON events, plan, snapshot or journal files, nor in `ps`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifySampleKeys } from '../../scripts/lib/sample-keys.js';
import { CLI, runCli, useCluster } from '../helpers/cluster.js';
import { expectNoSecret, expectOneLineError, processTitle } from '../helpers/secrets.js';

const KEYS = 3000;
const PW = 'req-Pass-9c2e7a41d0';
const dir = mkdtempSync(join(tmpdir(), 'slotpilot-pw-'));
const file = (name: string): string => join(dir, name);

describe('requirepass / masterauth cluster', () => {
  const cluster = useCluster({ masters: 3, keys: KEYS, password: PW });
  const outputs: Record<string, string> = {};

  it('check, snapshot and plan with the password from the environment', async () => {
    const check = await runCli(['check', '--seed', cluster().seed, '--json'], { env: { REDISCLI_AUTH: PW } });
    expect(check.code, check.stderr).toBe(0);
    const snap = await runCli(['snapshot', '--seed', cluster().seed, '-o', file('snap.json')], { env: { SLOTPILOT_PASSWORD: PW } });
    expect(snap.code, snap.stderr).toBe(0);
    const [a, , c] = cluster().nodes;
    const plan = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'move', '--from', a!.addr, '--to', c!.addr, '--slots', '100-899', '-o', file('plan.json'), '--json'], { env: { SLOTPILOT_PASSWORD: PW } });
    expect(plan.code, plan.stderr).toBe(0);
    Object.assign(outputs, { check: check.stdout + check.stderr, snap: snap.stdout + snap.stderr, plan: plan.stdout + plan.stderr, snapFile: readFileSync(file('snap.json'), 'utf8'), planFile: readFileSync(file('plan.json'), 'utf8') });
  });

  it('apply with --password on the command line (killed mid-run), resume with SLOTPILOT_PASSWORD', async () => {
    let out = '';
    let err = '';
    let title = '';
    const child = spawn(process.execPath, [CLI, 'apply', file('plan.json'), '--seed', cluster().seed, '--password', PW, '--yes', '--json', '--batch', '1', '--concurrency', '8', '--journal', file('journal.ndjson')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (!title && out.includes('"run-start"')) title = processTitle(child.pid!);
        if ((out.match(/"slot-progress"/g) ?? []).length >= 20) child.kill('SIGKILL');
      });
      child.on('close', () => resolve());
    });
    expect(title).toMatch(/slotpilot/);
    const resumed = await runCli(['resume', '--journal', file('journal.ndjson'), '--yes', '--json'], { env: { SLOTPILOT_PASSWORD: PW } });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const check = await runCli(['check', '--seed', cluster().seed], { env: { SLOTPILOT_PASSWORD: PW } });
    expect(check.code, check.stdout).toBe(0);
    expect(await verifySampleKeys([cluster().seed], { count: KEYS }, PW)).toEqual([]);
    Object.assign(outputs, { apply: out + err, title, resume: resumed.stdout + resumed.stderr, journal: readFileSync(file('journal.ndjson'), 'utf8') });
  });

  it('wrong or missing password: exit 1, one line naming the problem, no secret', async () => {
    const wrong = await runCli(['apply', file('plan.json'), '--seed', cluster().seed, '--yes'], { env: { SLOTPILOT_PASSWORD: `${PW}x` } });
    expect(wrong.code).toBe(1);
    expectOneLineError(wrong.stderr);
    expect(wrong.stderr).toMatch(/authentication failed/);
    const none = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'rebalance']);
    expect(none.code).toBe(1);
    expectOneLineError(none.stderr);
    expect(none.stderr).toMatch(/authentication required/);
    outputs.wrong = wrong.stdout + wrong.stderr;
  });

  it('no password anywhere', () => {
    expect(Object.keys(outputs)).toHaveLength(10);
    expectNoSecret(outputs, [PW]);
  });
});
