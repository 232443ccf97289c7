/**
 * A cluster with requirepass/masterauth for the default user and the least-privilege ACL user that
 * docs/reliability.md documents — read from that page itself, so the documented rule is exactly the
 * one tested.
 * slotpilot runs as that user through check, plan, apply (killed mid-run), resume and fix; no
 * password appears in stdout, stderr, NDJSON events, plan files, journals or the process title.
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
const ADMIN_PW = 'adm1n-Pw-7f3c9e2a';
const SP_PW = 'sl0tp1lot-Pw-4b8d1f6e';
const dir = mkdtempSync(join(tmpdir(), 'slotpilot-acl-'));
const file = (name: string): string => join(dir, name);

/** The documented rule (docs/reliability.md), as a redis.conf `user` line with the test's password. */
function documentedAclRule(): string {
  const doc = readFileSync(new URL('../../docs/reliability.md', import.meta.url), 'utf8');
  const line = doc.split('\n').find((l) => l.startsWith('ACL SETUSER slotpilot '));
  if (!line) throw new Error('docs/reliability.md has no "ACL SETUSER slotpilot ..." line');
  return line.replace(/^ACL SETUSER /, 'user ').replace('>CHANGE-ME', `>${SP_PW}`);
}

const env = { SLOTPILOT_USER: 'slotpilot', SLOTPILOT_PASSWORD: SP_PW };

describe('least-privilege ACL user (rule from docs/reliability.md)', () => {
  // `weak`: the same rule without +migrate, to see a missing permission fail cleanly.
  const weakRule = (): string => documentedAclRule().replace('user slotpilot ', 'user weak ').replace(' +migrate', '');
  const cluster = useCluster({ masters: 3, keys: KEYS, password: ADMIN_PW, extraConfig: [documentedAclRule(), weakRule()] });
  const outputs: Record<string, string> = {};

  it('the user really is restricted', async () => {
    const c = cluster().client(cluster().nodes[0]!);
    const perms = (await c.call('ACL', 'GETUSER', 'slotpilot')) as unknown[];
    c.disconnect();
    expect(JSON.stringify(perms)).toContain('-@all');
    const check = await runCli(['check', '--seed', cluster().seed], { env: { ...env } });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    outputs.check = check.stdout + check.stderr;
  });

  it('plan, apply (SIGKILLed mid-run with --password on the command line), resume and fix work as that user', async () => {
    const [a, b] = cluster().nodes;
    const plan = await runCli(['plan', '--seed', cluster().seed, '--user', 'slotpilot', '--password', SP_PW, '--strategy', 'move', '--from', a!.addr, '--to', b!.addr, '--slots', '0-599', '-o', file('plan.json')]);
    expect(plan.code, plan.stderr).toBe(0);
    outputs.plan = plan.stdout + plan.stderr;
    let title = '';
    let out = '';
    let err = '';
    const child = spawn(process.execPath, [CLI, 'apply', file('plan.json'), '--seed', cluster().seed, '--user', 'slotpilot', '--password', SP_PW, '--yes', '--json', '--batch', '1', '--concurrency', '8', '--journal', file('journal.ndjson')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (!title && out.includes('"run-start"')) title = processTitle(child.pid!);
        if ((out.match(/"slot-done"/g) ?? []).length >= 100) child.kill('SIGKILL');
      });
      child.on('close', () => resolve());
    });
    expect(title).toMatch(/slotpilot/);
    expect(out).toMatch(/"slot-progress"/);
    outputs.apply = out + err;
    outputs.title = title;
    const resumed = await runCli(['resume', '--journal', file('journal.ndjson'), '--yes', '--json'], { env: { ...env } });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    outputs.resume = resumed.stdout + resumed.stderr;
    const fix = await runCli(['fix', '--seed', cluster().seed, '--yes'], { env: { ...env } });
    expect(fix.code, fix.stdout + fix.stderr).toBe(0);
    const check = await runCli(['check', '--seed', cluster().seed], { env: { ...env } });
    expect(check.code, check.stdout).toBe(0);
    expect(await verifySampleKeys([cluster().seed], { count: KEYS }, ADMIN_PW)).toEqual([]);
    outputs.journal = readFileSync(file('journal.ndjson'), 'utf8');
    outputs.planFile = readFileSync(file('plan.json'), 'utf8');
  });

  it('a wrong password or a missing user: exit 1, one line, no secret', async () => {
    const wrong = await runCli(['check', '--seed', cluster().seed], { env: { SLOTPILOT_USER: 'slotpilot', SLOTPILOT_PASSWORD: `${SP_PW}-wrong` } });
    expect(wrong.code).toBe(1);
    expectOneLineError(wrong.stderr);
    expect(wrong.stderr).toMatch(/authentication failed/);
    const none = await runCli(['check', '--seed', cluster().seed]);
    expect(none.code).toBe(1);
    expectOneLineError(none.stderr);
    expect(none.stderr).toMatch(/authentication required/);
    outputs.wrong = wrong.stdout + wrong.stderr;
  });

  it('a user without +migrate: slots fail naming the missing permission, exit 1; resume as the full user finishes', async () => {
    const [, b, c] = cluster().nodes;
    const plan = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'move', '--from', b!.addr, '--to', c!.addr, '--slots', '5461-5660', '-o', file('weak.json')], { env: { ...env } });
    expect(plan.code, plan.stderr).toBe(0);
    const weak = await runCli(['apply', file('weak.json'), '--seed', cluster().seed, '--yes', '--journal', file('weak.ndjson')], { env: { SLOTPILOT_USER: 'weak', SLOTPILOT_PASSWORD: SP_PW } });
    expect(weak.code, weak.stdout + weak.stderr).toBe(1);
    expect(weak.stdout).toMatch(/failed \(NOPERM, keys\): .*'migrate'/);
    const resumed = await runCli(['resume', '--journal', file('weak.ndjson'), '--yes'], { env: { ...env } });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const check = await runCli(['check', '--seed', cluster().seed], { env: { ...env } });
    expect(check.code, check.stdout).toBe(0);
    expect(await verifySampleKeys([cluster().seed], { count: KEYS }, ADMIN_PW)).toEqual([]);
    outputs.weak = weak.stdout + weak.stderr + resumed.stdout + resumed.stderr;
  });

  it('no password anywhere: stdout, stderr, events, plan file, journal, process title', () => {
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['check', 'plan', 'apply', 'title', 'resume', 'journal', 'planFile', 'wrong']));
    expectNoSecret(outputs, [SP_PW, ADMIN_PW]);
  });
});
