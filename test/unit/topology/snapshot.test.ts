import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { topologyFromClusterNodes } from '../../../src/topology/parse-cluster-nodes.js';
import { readSnapshotFile, toSnapshot, writeSnapshotFile } from '../../../src/topology/snapshot.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const TEXT = [
  `${A} 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-8191 [10->-${B}]`,
  `${B} 127.0.0.1:7001@17001 master - 0 0 2 connected 8192-16383`,
].join('\n');

describe('snapshot files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slotpilot-snapshot-'));

  it('round-trips a topology, deriving slot owners from the ranges', () => {
    const t = { ...topologyFromClusterNodes(TEXT), slotKeys: Array.from({ length: 16384 }, (_, i) => i % 7) };
    const path = join(dir, 'snap.json');
    writeSnapshotFile(path, t);
    expect(readSnapshotFile(path)).toEqual(t);
    expect(toSnapshot(t)).not.toHaveProperty('slotOwners');
  });

  it.each([
    ['not JSON', '{', /is not JSON/],
    ['another kind', JSON.stringify({ kind: 'slotpilot-plan', version: 1 }), /is not a slotpilot snapshot/],
    ['another version', JSON.stringify({ kind: 'slotpilot-snapshot', version: 2 }), /snapshot version 2; this slotpilot reads version 1/],
    ['a truncated body', JSON.stringify({ kind: 'slotpilot-snapshot', version: 1, seed: 'x' }), /invalid snapshot at readAt/],
  ])('refuses %s with one line', (_name, body, message) => {
    const path = join(dir, `bad-${_name.replace(/\W/g, '')}.json`);
    writeFileSync(path, body);
    expect(() => readSnapshotFile(path)).toThrow(message);
  });

  it('says when the file cannot be read', () => {
    expect(() => readSnapshotFile(join(dir, 'missing.json'))).toThrow(/cannot read snapshot file/);
  });
});
