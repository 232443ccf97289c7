/**
 * A TLS-only cluster (tls-port, port 0, tls-cluster yes, tls-replication yes, client certificates
 * required), with certificates made by the test. slotpilot moves slots over TLS (MIGRATE too) and is
 * resumed after a kill; mismatches (no TLS, wrong CA, no client certificate, TLS to a plaintext
 * node) fail with exit 1 and one line; no key material shows anywhere.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeAuthOf } from '../../scripts/lib/local-cluster.js';
import { verifySampleKeys } from '../../scripts/lib/sample-keys.js';
import { CLI, clusterNodesFingerprint, runCli, startCluster, type LocalCluster } from '../helpers/cluster.js';
import { expectNoSecret, expectOneLineError, pemBodyLines, processTitle } from '../helpers/secrets.js';
import { startStandalone, type StandaloneRedis } from '../helpers/standalone.js';
import { makeTlsFiles, type TlsFiles } from '../helpers/tls.js';

const KEYS = 3000;
const dir = mkdtempSync(join(tmpdir(), 'slotpilot-tls-run-'));
const file = (name: string): string => join(dir, name);

describe('TLS cluster', () => {
  let tls: TlsFiles;
  let cluster: LocalCluster;
  let plain: StandaloneRedis;
  const outputs: Record<string, string> = {};
  const tlsArgs = (): string[] => ['--tls-ca', tls.caFile, '--tls-cert', tls.clientCertFile, '--tls-key', tls.clientKeyFile];

  beforeAll(async () => {
    tls = makeTlsFiles();
    [cluster, plain] = await Promise.all([startCluster({ masters: 3, keys: KEYS, tls }), startStandalone()]);
  });
  afterAll(async () => {
    await cluster?.stop();
    plain?.stop();
  });

  it('check, plan, apply (killed mid-run) and resume over TLS; every key intact', async () => {
    const check = await runCli(['check', '--seed', cluster.seed, ...tlsArgs()]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    const [a, b] = cluster.nodes;
    const plan = await runCli(['plan', '--seed', cluster.seed, ...tlsArgs(), '--strategy', 'move', '--from', a!.addr, '--to', b!.addr, '--slots', '0-799', '-o', file('plan.json')]);
    expect(plan.code, plan.stderr).toBe(0);
    let out = '';
    let err = '';
    let title = '';
    const child = spawn(process.execPath, [CLI, 'apply', file('plan.json'), '--seed', cluster.seed, ...tlsArgs(), '--yes', '--json', '--batch', '1', '--concurrency', '8', '--journal', file('journal.ndjson')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (!title && out.includes('"run-start"')) title = processTitle(child.pid!);
        if ((out.match(/"slot-progress"/g) ?? []).length >= 20) child.kill('SIGKILL');
      });
      child.on('close', () => resolve());
    });
    expect(out).toMatch(/"slot-progress"/);
    const resumed = await runCli(['resume', '--journal', file('journal.ndjson'), ...tlsArgs(), '--yes', '--json']);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const after = await runCli(['check', '--seed', cluster.seed, ...tlsArgs()]);
    expect(after.code, after.stdout).toBe(0);
    expect(await verifySampleKeys([cluster.seed], { count: KEYS }, undefined, nodeAuthOf({ tls }).tls)).toEqual([]);
    Object.assign(outputs, { check: check.stdout + check.stderr, plan: plan.stdout + plan.stderr, apply: out + err, title, resume: resumed.stdout + resumed.stderr, journal: readFileSync(file('journal.ndjson'), 'utf8'), planFile: readFileSync(file('plan.json'), 'utf8') });
  });

  it.each([
    ['no TLS against a TLS node', (): string[] => [], /cannot reach .*: (connection closed by the server|TLS)/],
    ['a CA that did not sign the servers', (): string[] => ['--tls-ca', tls.otherCaFile, '--tls-cert', tls.clientCertFile, '--tls-key', tls.clientKeyFile], /TLS handshake failed|certificate/i],
    ['no client certificate where one is required', (): string[] => ['--tls-ca', tls.caFile], /cannot reach/],
    ['--tls-cert without --tls-key', (): string[] => ['--tls-ca', tls.caFile, '--tls-cert', tls.clientCertFile], /--tls-cert and --tls-key go together/],
    ['a missing CA file', (): string[] => ['--tls-ca', file('nope.crt')], /cannot read --tls-ca file/],
  ])('%s: one line, nothing changed', async (name, args, message) => {
    const before = await clusterNodesFingerprint(cluster);
    const r = await runCli(['apply', file('plan.json'), '--seed', cluster.seed, '--yes', ...args()]);
    expect(r.code).toBe(/go together|cannot read/.test(String(message)) ? 2 : 1);
    expectOneLineError(r.stderr);
    expect(r.stderr).toMatch(message);
    expect(await clusterNodesFingerprint(cluster)).toEqual(before);
    outputs[name] = r.stdout + r.stderr;
  });

  it('TLS to a plaintext node: exit 1, one line', async () => {
    const r = await runCli(['check', '--seed', plain.addr, ...tlsArgs()]);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr);
    expect(r.stderr).toMatch(/no TLS handshake answer .*a plaintext node/);
    outputs.plain = r.stdout + r.stderr;
  });

  it('no key material anywhere', () => {
    expect(Object.keys(outputs).length).toBeGreaterThanOrEqual(12);
    expectNoSecret(outputs, [...pemBodyLines(tls.clientKeyFile), ...pemBodyLines(tls.keyFile)]);
  });
});
