/** Where `npm run cluster -- up` records the cluster it started, so `down` (and the demo) can stop it. */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalNode } from './local-cluster.js';

export interface ClusterState {
  readonly dir: string;
  readonly seed: string;
  readonly nodes: readonly LocalNode[];
}

export const defaultClusterDir = join(tmpdir(), 'slotpilot-local-cluster');
const statePath = (dir: string): string => join(dir, 'state.json');

export function writeClusterState(state: ClusterState): void {
  writeFileSync(statePath(state.dir), JSON.stringify(state, null, 2));
}

export function readClusterState(dir = defaultClusterDir): ClusterState | null {
  return existsSync(statePath(dir)) ? (JSON.parse(readFileSync(statePath(dir), 'utf8')) as ClusterState) : null;
}

/** Kill every node of a recorded cluster and remove its directory. Returns how many were running. */
export function stopRecordedCluster(dir = defaultClusterDir): number {
  const state = readClusterState(dir);
  let killed = 0;
  for (const node of state?.nodes ?? []) {
    try {
      process.kill(node.pid, 'SIGKILL');
      killed++;
    } catch {
      // Not running any more.
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return killed;
}
