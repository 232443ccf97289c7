/**
 * The sync screen end to end: the built binary in a real terminal (tmux), syncing a real source into
 * a real cluster, stopped with `q` like a person would; the journal then lets a re-run go on.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStandaloneKeys } from '../../scripts/lib/standalone-keys.js';
import { shellQuote, TmuxSession } from '../../scripts/lib/tmux-session.js';
import { CLI, countClusterKeys, useCluster } from '../helpers/cluster.js';
import { startSource, type SourceServer } from '../helpers/sync-kit.js';

describe('slotpilot sync in tmux', () => {
  const cluster = useCluster({ masters: 3 });
  const cleanups: (() => void)[] = [];
  afterAll(() => {
    for (const c of cleanups) c();
  });

  it('shows the source streaming with its keys and lag; q stops it cleanly (exit 130) with a checkpoint', async () => {
    const source: SourceServer = await startSource();
    cleanups.push(() => source.stop());
    await loadStandaloneKeys(source.addr, { count: 3000 });
    const dir = mkdtempSync(join(tmpdir(), 'slotpilot-sync-tui-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const journal = join(dir, 'sync.ndjson');
    const command = `${[process.execPath, CLI, 'sync', '--from', source.addr, '--seed', cluster().seed, '--journal', journal, '--yes'].map(shellQuote).join(' ')}; echo EXIT=$?; sleep 120`;
    const tui = new TmuxSession({ command, columns: 110, rows: 30, cwd: dir, env: { SLOTPILOT_SEED: '' } });
    cleanups.push(() => tui.kill());

    const screen = await tui.waitFor(new RegExp(`${source.addr.replace(/\./g, '\\.')} +streaming .*lag .* keys 3,000`), 30_000);
    expect(screen).toMatch(new RegExp(`slotpilot sync · ${source.addr.replace(/\./g, '\\.')} → `));
    tui.keys('q');
    const exited = await tui.waitFor(/EXIT=\d+/, 20_000);
    expect(exited).toMatch(/EXIT=130/);
    expect(await countClusterKeys(cluster())).toBe(3000);
    expect(readFileSync(journal, 'utf8')).toMatch(/"type":"checkpoint"/);
  });
});
