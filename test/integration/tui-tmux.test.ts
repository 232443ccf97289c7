/**
 * The terminal UI end to end: the built binary in a real terminal (tmux) against a real local
 * cluster, driven with the keyboard like a person would: overview → plan builder → confirmation →
 * execution → summary, then `slotpilot check` must be clean.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shellQuote, TmuxSession } from '../../scripts/lib/tmux-session.js';
import { CLI, runCli, useCluster } from '../helpers/cluster.js';

describe('slotpilot tui in tmux', () => {
  const cluster = useCluster({ masters: 3, keys: 20_000, empty: 1 });
  const sessions: TmuxSession[] = [];
  const dirs: string[] = [];
  afterAll(() => {
    for (const s of sessions) s.kill();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** The TUI in a fresh terminal; the shell prints its exit code and keeps the window for reading it. */
  const open = (args: string[], columns: number, rows: number): TmuxSession => {
    const cwd = mkdtempSync(join(tmpdir(), 'slotpilot-tui-'));
    dirs.push(cwd);
    const command = `${[process.execPath, CLI, ...args].map(shellQuote).join(' ')}; echo EXIT=$?; sleep 120`;
    const s = new TmuxSession({ command, columns, rows, cwd, env: { SLOTPILOT_SEED: '' } });
    sessions.push(s);
    return s;
  };

  it('shows every master, builds a rebalance with the keyboard, runs it to the summary; the cluster is clean after', async () => {
    const c = cluster();
    const masters = c.nodes.filter((n) => n.role !== 'replica');
    const empty = c.nodes.find((n) => n.role === 'empty-master')!;
    const tui = open(['tui', '--seed', c.seed], 100, 32);

    const overview = await tui.waitFor(/all slots covered once/);
    for (const m of masters) expect(overview).toContain(m.addr);
    expect(overview).toMatch(/4 masters/);
    expect(overview).toMatch(/slot map/);
    expect(overview).toMatch(/ b +build a plan/);

    tui.keys('b');
    await tui.waitFor(/build a plan[\s\S]*strategy +‹ fill new masters ›/);
    // balance by keys instead of slots: ↓ to the field, → to the next choice.
    tui.keys('Down', 'Right');
    const builder = await tui.waitFor(/preview \(keys\)/);
    expect(builder).toMatch(/balance by +‹ keys ›/);
    expect(builder).toMatch(new RegExp(`${empty.addr.replace(/\./g, '\\.')} +░+ → █+`));
    expect(builder).toMatch(/moves: [\d,]+ slots, [\d,]+ keys/);

    tui.keys('Enter');
    const confirm = await tui.waitFor(/Start moving slots\?/);
    expect(confirm).toMatch(/This moves [\d,]+ slots \([\d,]+ keys/);
    expect(confirm).toContain(`${empty.addr} (${empty.id.slice(0, 8)}): 0 → `);
    expect(confirm).toMatch(/Press y to start/);

    tui.keys('y');
    const summary = await tui.waitFor(/done: [\d,]+\/[\d,]+ slots moved/, 60_000);
    expect(summary).toMatch(/no failures/);
    expect(summary).toMatch(/read from the cluster/);
    expect(summary).toMatch(/journal .*\.ndjson/);
    expect(summary).toMatch(new RegExp(`${empty.addr.replace(/\./g, '\\.')} .* 0 → [\\d,]+ slots`));

    tui.keys('q');
    const exited = await tui.waitFor(/EXIT=\d+/);
    expect(exited).toMatch(/EXIT=0/);
    expect(exited).toMatch(/^done: [\d,]+\/[\d,]+ slots moved/m);

    const check = await runCli(['check', '--seed', c.seed, '--json']);
    expect(check.code).toBe(0);
    const report = JSON.parse(check.stdout) as { healthy: boolean; nodes: { addr: string; slots: number }[] };
    expect(report.healthy).toBe(true);
  });

  it('a graceful abort finishes the slots in flight and leaves the cluster clean (exit 130)', async () => {
    const c = cluster();
    // One slot at a time, so the run is still going when `a` arrives.
    const tui = open(['tui', '--seed', c.seed, '--concurrency', '1'], 100, 32);
    await tui.waitFor(/all slots covered once/);
    tui.keys('b');
    await tui.waitFor(/› strategy +‹ rebalance ›/);
    tui.keys('Left');
    await tui.waitFor(/‹ move slots between two nodes ›/);
    tui.keys('Down', 'Down', 'Down', 'S-Right', 'S-Right');
    await tui.waitFor(/› slots +‹ 2100 ›/);
    tui.keys('Enter');
    await tui.waitFor(/This moves 2,100 slots/);
    tui.keys('y');
    await tui.waitFor(/moving slots · running · concurrency 1/, 30_000);
    tui.keys('a');
    const summary = await tui.waitFor(/■ stopped: [\d,]+\/2,100 slots moved/, 60_000);
    expect(summary).toMatch(/0 failed, [\d,]+ not started · finish with: slotpilot resume --journal /);
    tui.keys('q');
    const exited = await tui.waitFor(/EXIT=\d+/);
    expect(exited).toMatch(/EXIT=130/);
    expect(exited).toMatch(/slotpilot: stopped: [\d,]+\/2100 slots moved; finish with: slotpilot resume --journal/);
    const check = await runCli(['check', '--seed', c.seed]);
    expect(check.code).toBe(0);
  });

  it('fits an 80×24 terminal and lays out again when resized', async () => {
    const tui = open(['tui', '--seed', cluster().seed], 120, 40);
    const wide = await tui.waitFor(/all slots covered once/);
    const mapLine = (screen: string): string => screen.split('\n').find((l) => /^[A-D]{20,}/.test(l)) ?? '';
    expect(mapLine(wide).length).toBe(118);
    tui.resize(80, 24);
    const narrow = await tui.waitFor(/^[A-D]{78}$/m);
    expect(mapLine(narrow).length).toBe(78);
    // Everything, the key help included, is on the 24 lines.
    expect(narrow.split('\n').length).toBeLessThanOrEqual(24);
    expect(narrow).toMatch(/ q +quit/);
    tui.keys('q');
    expect(await tui.waitFor(/EXIT=\d+/)).toMatch(/EXIT=0/);
  });

  it('`slotpilot` with no command opens the UI in a terminal and asks for the seed', async () => {
    const c = cluster();
    const tui = open([], 100, 30);
    await tui.waitFor(/Seed node of the cluster \(HOST:PORT\):/);
    tui.keys(...c.seed.split(''), 'Enter');
    const overview = await tui.waitFor(/all slots covered once/);
    expect(overview).toContain(`cluster at ${c.seed}`);
    tui.keys('q');
    expect(await tui.waitFor(/EXIT=\d+/)).toMatch(/EXIT=0/);
  });
});

describe('slotpilot tui without a terminal', () => {
  it('refuses with one line and exit 2, with or without the command name', async () => {
    for (const args of [[], ['tui', '--seed', '127.0.0.1:1']]) {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual(['slotpilot: the terminal UI needs a terminal; give a command instead (see slotpilot --help)']);
    }
  });
});
