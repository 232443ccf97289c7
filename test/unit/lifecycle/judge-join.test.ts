import { describe, expect, it } from 'vitest';
import { judgeJoinCandidate } from '../../../src/lifecycle/judge-join.js';
import { parseClusterNodes } from '../../../src/topology/parse-cluster-nodes.js';
import { ID, line, threeByOne } from './fixtures.js';

const cluster = threeByOne().nodes;
const lone = (name: string, extra: string[] = []) => parseClusterNodes([line(name, 'myself,master', '-'), ...extra].join('\n'));

describe('judgeJoinCandidate', () => {
  it('lets an empty node that knows no one join', () => {
    expect(judgeJoinCandidate({ addr: '127.0.0.1:7006', id: ID.g!, keys: 0, lines: lone('g') }, cluster)).toEqual({ kind: 'join' });
  });

  it('continues with a node the cluster already knows (a re-run)', () => {
    expect(judgeJoinCandidate({ addr: '127.0.0.1:7001', id: ID.b!, keys: 500, lines: parseClusterNodes(line('b', 'myself,master', '-', '5461-10922')) }, cluster)).toEqual({ kind: 'joined' });
  });

  it('refuses a node with keys', () => {
    expect(() => judgeJoinCandidate({ addr: '127.0.0.1:7006', id: ID.g!, keys: 3, lines: lone('g') }, cluster)).toThrow(/already holds 3 key\(s\)/);
  });

  it('refuses a node that owns slots or knows nodes this cluster does not', () => {
    const owning = parseClusterNodes(line('g', 'myself,master', '-', '0-99'));
    expect(() => judgeJoinCandidate({ addr: '127.0.0.1:7006', id: ID.g!, keys: 0, lines: owning }, cluster)).toThrow(/owns 100 slot\(s\): it belongs to another cluster/);
    const foreign = lone('g', [line('h', 'master', '-')]);
    expect(() => judgeJoinCandidate({ addr: '127.0.0.1:7006', id: ID.g!, keys: 0, lines: foreign }, cluster)).toThrow(/belongs to another cluster: it knows 1 node/);
  });

  it('accepts a node half-way through its handshake with this cluster', () => {
    const handshake = `${'9'.repeat(40)} 127.0.0.1:7000@17000 handshake - 0 0 0 connected`;
    const knowsMember = lone('g', [line('a', 'master', '-', '0-5460'), handshake]);
    expect(judgeJoinCandidate({ addr: '127.0.0.1:7006', id: ID.g!, keys: 0, lines: knowsMember }, cluster)).toEqual({ kind: 'join' });
  });

  it('refuses an address the cluster lists under another id', () => {
    expect(() => judgeJoinCandidate({ addr: '127.0.0.1:7001', id: ID.g!, keys: 0, lines: lone('g') }, cluster)).toThrow(/listed in this cluster as node bbbbbbbb/);
  });
});
