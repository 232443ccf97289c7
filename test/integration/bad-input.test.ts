/**
 * The bad-input corpus: malformed, truncated and mismatched plan and journal files, wrong versions,
 * plans for another cluster, duplicate or conflicting moves, slots out of range, unknown or ambiguous
 * nodes, a replica as a target, an unreachable seed, TLS to a plaintext cluster, a non-cluster Redis.
 * Each: exit 2 (1 when unreachable), one line naming the problem, no stack trace, and CLUSTER NODES
 * unchanged on every node. (Wrong passwords and TLS mismatches on TLS clusters: security-*.test.ts.)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/planner/plan-schema.js';
import { parseAddr } from '../../src/redis/connection.js';
import { readTopology } from '../../src/topology/read-topology.js';
import type { TopologyNode } from '../../src/topology/types.js';
import { clusterNodesFingerprint, runCli, startTestCluster, type LocalCluster } from '../helpers/cluster.js';
import { expectOneLineError } from '../helpers/secrets.js';
import { startStandalone, type StandaloneRedis } from '../helpers/standalone.js';

const dir = mkdtempSync(join(tmpdir(), 'slotpilot-bad-'));
const file = (name: string): string => join(dir, name);
const write = (name: string, text: string): string => (writeFileSync(file(name), text), file(name));
const json = (name: string, value: unknown): string => write(name, JSON.stringify(value, null, 2));
const otherId = (i: number): string => `${'f0e1d2c3'.repeat(4)}${String(i).padStart(8, '0')}`;

let cluster: LocalCluster;
let plain: StandaloneRedis;
let a: TopologyNode;
let b: TopologyNode;
let replica: TopologyNode;
let good: Plan;
let goodText: string;
let journalText: string;

beforeAll(async () => {
  [cluster, plain] = await Promise.all([startTestCluster({ masters: 3, replicasPerMaster: 1, keys: 500 }), startStandalone(['--save', ''])]);
  const t = await readTopology(parseAddr(cluster.seed), {}, { keys: false });
  const masters = t.nodes.filter((n) => n.role === 'master').sort((x, y) => x.port - y.port);
  [a, b] = masters as [TopologyNode, TopologyNode];
  replica = t.nodes.find((n) => n.role === 'replica')!;
  const r = await runCli(['plan', '--seed', cluster.seed, '--strategy', 'move', '--from', a.addr, '--to', b.addr, '--slots', '10-19', '-o', file('good.json')]);
  if (r.code !== 0) throw new Error(r.stderr);
  goodText = readFileSync(file('good.json'), 'utf8');
  good = JSON.parse(goodText) as Plan;
  const header = { kind: 'slotpilot-journal', version: 1, runId: '00000000-0000-4000-8000-000000000000', startedAt: new Date().toISOString(), seed: cluster.seed, command: 'apply', options: { concurrency: 8, batch: null, maxBlockMs: 2, replace: false }, plan: good };
  journalText = `${JSON.stringify(header)}\n${JSON.stringify({ type: 'run-start', t: Date.now() })}\n`;
});
afterAll(async () => {
  await cluster?.stop();
  plain?.stop();
});

const withMoves = (moves: Plan['moves']): Plan => ({ ...good, moves });
const m0 = (): Plan['moves'][number] => good.moves[0]!;

/** [name, build the arguments, exit code, message]. Files are made lazily, once the cluster exists. */
const cases: Array<[string, () => string[], number, RegExp]> = [
  // Plan files given to apply.
  ['missing plan file', () => ['apply', file('nope.json')], 2, /cannot read plan file/],
  ['empty plan file', () => ['apply', write('empty.json', '')], 2, /is not JSON/],
  ['malformed plan JSON', () => ['apply', write('malformed.json', '{"kind": "slotpilot-plan", "version": 1,, }')], 2, /is not JSON/],
  ['truncated plan', () => ['apply', write('truncated.json', goodText.slice(0, Math.floor(goodText.length / 2)))], 2, /is not JSON \(truncated/],
  ['not a plan', () => ['apply', json('snapshot-like.json', { kind: 'slotpilot-snapshot', version: 1 })], 2, /is not a slotpilot plan/],
  ['plan version 2', () => ['apply', json('v2.json', { ...good, version: 2 })], 2, /plan version 2; this slotpilot reads version 1/],
  ['plan version missing', () => ['apply', json('v-none.json', { ...good, version: undefined })], 2, /plan version undefined/],
  ['slot 16384', () => ['apply', json('slot-high.json', withMoves([{ ...m0(), slot: 16384 }]))], 2, /invalid plan at moves\.0\.slot/],
  ['slot -1', () => ['apply', json('slot-neg.json', withMoves([{ ...m0(), slot: -1 }]))], 2, /invalid plan at moves\.0\.slot/],
  ['slot 1.5', () => ['apply', json('slot-frac.json', withMoves([{ ...m0(), slot: 1.5 }]))], 2, /invalid plan at moves\.0\.slot/],
  ['node id not hex', () => ['apply', json('bad-id.json', withMoves([{ ...m0(), to: 'node-b' }]))], 2, /invalid plan at moves\.0\.to/],
  ['duplicate move', () => ['apply', json('dup.json', withMoves([m0(), m0()]))], 2, /slot 10 is moved twice/],
  ['conflicting moves', () => ['apply', json('conflict.json', withMoves([m0(), { ...m0(), to: replica.masterId === a.id ? b.id : a.id }]))], 2, /slot 10 is moved twice/],
  ['move to itself', () => ['apply', json('self.json', withMoves([{ ...m0(), to: m0().from }]))], 2, /moves from a node to itself/],
  ['plan for another cluster', () => ['apply', json('other.json', withMoves(good.moves.map((m) => ({ ...m, from: otherId(1), to: otherId(2) }))))], 2, /plan is stale: node f0e1d2c3 .* is not in this cluster/],
  ['stale plan (slot owned by another master)', () => ['apply', json('stale.json', withMoves([{ ...m0(), from: b.id, to: a.id }]))], 2, /plan is stale: slot 10 is owned by/],
  ['replica as target', () => ['apply', json('replica.json', withMoves([{ ...m0(), to: replica.id }]))], 2, /is not a master \(it is a replica\)/],
  ['bad --concurrency', () => ['apply', file('good.json'), '--concurrency', '0'], 2, /Expected --concurrency to be a whole number >= 1/],
  // Journals given to resume.
  ['resume without --journal', () => ['resume'], 2, /missing --journal FILE/],
  ['missing journal', () => ['resume', '--journal', file('nope.ndjson')], 2, /cannot read journal file/],
  ['empty journal', () => ['resume', '--journal', write('empty.ndjson', '')], 2, /is empty or not a slotpilot journal/],
  ['journal header not JSON', () => ['resume', '--journal', write('garbage.ndjson', 'hello\n')], 2, /not a slotpilot journal \(first line is not JSON\)/],
  ['truncated journal header', () => ['resume', '--journal', write('trunc.ndjson', `${journalText.split('\n')[0]!.slice(0, 120)}\n`)], 2, /not a slotpilot journal \(first line is not JSON\)/],
  ['a plan given as a journal', () => ['resume', '--journal', write('plan-as-journal.ndjson', `${JSON.stringify(good)}\n`)], 2, /is not a slotpilot journal/],
  ['journal version 9', () => ['resume', '--journal', write('v9.ndjson', journalText.replace('"version":1', '"version":9'))], 2, /journal version 9; this slotpilot reads version 1/],
  ['journal header missing its plan', () => ['resume', '--journal', write('noplan.ndjson', `${JSON.stringify({ ...JSON.parse(journalText.split('\n')[0]!), plan: undefined })}\n`)], 2, /invalid journal header at plan/],
  ['journal event line not JSON', () => ['resume', '--journal', write('badline.ndjson', `${journalText}{"type":"slot-\nmore\n`)], 2, /line 3 is not JSON/],
  ['journal of another cluster', () => ['resume', '--journal', write('other.ndjson', journalText.replaceAll(a.id, otherId(3)).replaceAll(b.id, otherId(4)))], 2, /is not in this cluster/],
  // Nodes and slots on the command line.
  ['unknown node', () => ['plan', '--seed', cluster.seed, '--strategy', 'drain', '--node', '10.9.9.9:1'], 2, /not a node of this cluster/],
  ['node id prefix too short', () => ['plan', '--seed', cluster.seed, '--strategy', 'drain', '--node', a.id.slice(0, 4)], 2, /at least 8 characters/],
  ['slot out of range', () => ['plan', '--seed', cluster.seed, '--strategy', 'move', '--from', a.addr, '--to', b.addr, '--slots', '16384'], 2, /out of range/],
  ['replica as --to', () => ['plan', '--seed', cluster.seed, '--strategy', 'move', '--from', a.addr, '--to', replica.addr, '--count', '1'], 2, /is a replica/],
  ['malformed --seed', () => ['check', '--seed', 'localhost'], 2, /Expected --seed to be HOST:PORT/],
  // Reaching the cluster.
  ['unreachable seed', () => ['apply', file('good.json'), '--seed', '127.0.0.1:1', '--yes'], 1, /cannot reach 127\.0\.0\.1:1: connection refused/],
  ['a non-cluster Redis', () => ['apply', file('good.json'), '--seed', plain.addr, '--yes'], 1, /not a cluster node/],
  ['TLS to a plaintext cluster', () => ['check', '--seed', cluster.seed, '--tls'], 1, /no TLS handshake answer/],
];

describe('bad input: one line, the right exit code, nothing changed', () => {
  it.each(cases)('%s', async (_name, args, code, message) => {
    const before = await clusterNodesFingerprint(cluster);
    const argv = args();
    const needsSeed = (argv[0] === 'apply' || argv[0] === 'resume') && !argv.includes('--seed') && argv.length > 1;
    const r = await runCli([...argv, ...(needsSeed && argv[0] === 'apply' ? ['--seed', cluster.seed] : []), ...(argv.includes('--yes') || argv[0] === 'plan' || argv[0] === 'check' ? [] : ['--yes'])]);
    expect(r.code, r.stdout + r.stderr).toBe(code);
    expectOneLineError(r.stderr);
    expect(r.stderr).toMatch(message);
    expect(await clusterNodesFingerprint(cluster)).toEqual(before);
  });

  it('a plan that a corrupted file hid nothing from: the good plan still applies', async () => {
    const r = await runCli(['apply', file('good.json'), '--seed', cluster.seed, '--yes']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});

/** Two ids sharing their first 8 characters: only an offline dump can have them. */
describe('ambiguous node id prefix (offline topology)', () => {
  it('exit 2, one line', async () => {
    const x = 'abcdef01'.padEnd(40, '1');
    const y = 'abcdef01'.padEnd(40, '2');
    const dump = write('ambiguous.txt', `${x} 10.0.0.1:6379@16379 myself,master - 0 0 1 connected 0-8191\n${y} 10.0.0.2:6379@16379 master - 0 0 2 connected 8192-16383\n`);
    const r = await runCli(['plan', '--topology', dump, '--strategy', 'drain', '--node', 'abcdef01']);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr);
    expect(r.stderr).toMatch(/ambiguous/);
  });
});
