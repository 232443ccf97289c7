import { describe, expect, it } from 'vitest';
import { ClusterNodesParseError, parseClusterNodes, replicasOf, slotOwnersOf, topologyFromClusterNodes } from '../../../src/topology/parse-cluster-nodes.js';
import { UsageError } from '../../../src/errors.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const R = 'd'.repeat(40);
const H = 'e'.repeat(40);
const N = 'f'.repeat(40);

/** A 7.0 `CLUSTER NODES` reply with every marker the format has, as seen from A. */
const FIXTURE = [
  `${A} 127.0.0.1:7000@17000 myself,master - 0 1700000000000 1 connected 0-5460 [5461->-${B}]`,
  `${B} 127.0.0.1:7001@17001,node-b.example master - 0 1700000000001 2 connected 5461-10922 [100-<-${A}]`,
  `${C} 127.0.0.1:7002@17002 master,fail? - 1700000000002 1700000000003 3 disconnected 10923-16383`,
  `${R} 127.0.0.1:7003@17003 slave,nofailover ${A} 0 1700000000004 1 connected`,
  `${H} 127.0.0.1:7004@17004 handshake - 0 0 0 connected`,
  `${N} :0@0 master,fail,noaddr - 1700000000005 1700000000006 4 disconnected`,
  '',
].join('\n');

describe('parseClusterNodes', () => {
  const lines = parseClusterNodes(FIXTURE);

  it('reads every node line', () => {
    expect(lines.map((l) => l.id)).toEqual([A, B, C, R, H, N]);
  });

  it('reads addresses, bus ports and the hostname field', () => {
    expect(lines[0]).toMatchObject({ addr: '127.0.0.1:7000', host: '127.0.0.1', port: 7000, busPort: 17000 });
    expect(lines[1]).toMatchObject({ addr: '127.0.0.1:7001', hostname: 'node-b.example' });
    expect(lines[0]!.hostname).toBeUndefined();
  });

  it('reads flags: myself, master, slave, fail?, fail, handshake, noaddr, nofailover', () => {
    expect(lines[0]!.flags).toEqual(['myself', 'master']);
    expect(lines[2]!.flags).toEqual(['master', 'fail?']);
    expect(lines[3]!.flags).toEqual(['slave', 'nofailover']);
    expect(lines[4]!.flags).toEqual(['handshake']);
    expect(lines[5]!.flags).toEqual(['master', 'fail', 'noaddr']);
  });

  it('reads roles and masters', () => {
    expect(lines.map((l) => l.role)).toEqual(['master', 'master', 'master', 'replica', 'master', 'master']);
    expect(lines[3]!.masterId).toBe(A);
    expect(lines[0]!.masterId).toBeNull();
  });

  it('reads ping/pong times, config epoch and link state', () => {
    expect(lines[2]).toMatchObject({ pingSent: 1700000000002, pongRecv: 1700000000003, configEpoch: 3, linkState: 'disconnected' });
    expect(lines[0]!.linkState).toBe('connected');
  });

  it('reads slot ranges, single slots and open-slot markers', () => {
    expect(lines[0]!.slots).toEqual([[0, 5460]]);
    expect(lines[0]!.openSlots).toEqual([{ slot: 5461, state: 'migrating', peer: B }]);
    expect(lines[1]!.openSlots).toEqual([{ slot: 100, state: 'importing', peer: A }]);
    expect(lines[3]!.slots).toEqual([]);
  });

  it('sorts slot fields and accepts single slots', () => {
    const [line] = parseClusterNodes(`${A} 10.0.0.1:6379@16379 master - 0 0 1 connected 9 3-5 1`);
    expect(line!.slots).toEqual([[1, 1], [3, 5], [9, 9]]);
  });

  it('accepts the pre-4.0 address without a bus port, IPv6 and noflags', () => {
    const [old, v6] = parseClusterNodes(
      [`${A} 10.0.0.1:6379 noflags - 0 0 1 connected 0`, `${B} [::1]:6380@16380 master - 0 0 2 connected 1`].join('\n'),
    );
    expect(old).toMatchObject({ port: 6379, busPort: 16379, flags: ['noflags'] });
    expect(v6).toMatchObject({ host: '::1', port: 6380, addr: '[::1]:6380' });
  });

  it('accepts CRLF line ends (a dump saved on another system)', () => {
    expect(parseClusterNodes(FIXTURE.replace(/\n/g, '\r\n'))).toHaveLength(6);
  });

  it.each([
    ['empty text', '', /no node lines/],
    ['too few fields', `${A} 127.0.0.1:7000@17000 master -`, /line 1: expected at least 8 fields/],
    ['bad id', `xyz 127.0.0.1:7000@17000 master - 0 0 1 connected`, /not a 40-character node id/],
    ['unknown flag', `${A} 127.0.0.1:7000@17000 master,weird - 0 0 1 connected`, /unknown flag "weird"/],
    ['bad master', `${A} 127.0.0.1:7000@17000 slave nope 0 0 1 connected`, /master "nope"/],
    ['bad link', `${A} 127.0.0.1:7000@17000 master - 0 0 1 sideways`, /link state/],
    ['bad epoch', `${A} 127.0.0.1:7000@17000 master - 0 0 x connected`, /must be numbers/],
    ['address without port', `${A} localhost master - 0 0 1 connected`, /not HOST:PORT/],
    ['slot out of range', `${A} 127.0.0.1:7000@17000 master - 0 0 1 connected 0-16384`, /slot 16384 is out of range/],
    ['reversed range', `${A} 127.0.0.1:7000@17000 master - 0 0 1 connected 10-5`, /ends before it starts/],
    ['garbage slot field', `${A} 127.0.0.1:7000@17000 master - 0 0 1 connected abc`, /slot field "abc"/],
    ['duplicate node', `${A} 127.0.0.1:7000@17000 master - 0 0 1 connected\n${A} 127.0.0.1:7001@17001 master - 0 0 1 connected`, /line 2: node .* appears twice/],
  ])('rejects %s with a usage error naming the line', (_name, text, message) => {
    const parse = (): unknown => parseClusterNodes(text);
    expect(parse).toThrow(ClusterNodesParseError);
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(message);
  });

  it('names the right line number for an error further down', () => {
    expect(() => parseClusterNodes(`${FIXTURE}\n\nnot a line at all here ok`)).toThrow(/line 9:/);
  });
});

describe('slotOwnersOf / replicasOf / topologyFromClusterNodes', () => {
  it('maps each slot to the master that claims it and leaves gaps null', () => {
    const owners = slotOwnersOf(parseClusterNodes(FIXTURE));
    expect(owners[0]).toBe(A);
    expect(owners[5461]).toBe(B);
    expect(owners[16383]).toBe(C);
    const gap = slotOwnersOf(parseClusterNodes(`${A} 127.0.0.1:7000@17000 master - 0 0 1 connected 0-9`));
    expect(gap[10]).toBeNull();
  });

  it('groups replicas under their master', () => {
    expect(replicasOf(parseClusterNodes(FIXTURE)).get(A)).toEqual([R]);
  });

  it('builds an offline topology: no key counts, open slots attributed to the node that reports them', () => {
    const t = topologyFromClusterNodes(FIXTURE, 'dump.txt');
    expect(t).toMatchObject({ seed: 'dump.txt', readAt: null, slotKeys: null, disagreements: [] });
    expect(t.openSlots).toEqual([
      { slot: 5461, state: 'migrating', peer: B, node: A },
      { slot: 100, state: 'importing', peer: A, node: B },
    ]);
    expect(t.nodes.find((n) => n.id === A)!.replicas).toEqual([R]);
  });
});
