import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../../src/ui/App.js';
import { Overview } from '../../../src/ui/Overview.js';
import { A, B, D, FakeController, FOUR_MASTERS, liveTopology, settle } from './fixtures.js';
import { cleanup } from 'ink-testing-library';

afterEach(() => cleanup());

const lines = (frame: string | undefined): string[] => (frame ?? '').split('\n');

describe('Overview', () => {
  it('lists every node with id, role, slots, keys, memory, replicas and state', () => {
    const { lastFrame } = render(<Overview topology={liveTopology()} columns={100} rows={30} freshness="read 1 s ago" />);
    const frame = lastFrame()!;
    expect(frame).toMatch(/cluster at 127\.0\.0\.1:7000 · 4 masters · 1 replicas · 98,304 keys · read 1 s ago/);
    expect(frame).toMatch(/address +id +role +slots +keys +memory +repl +state/);
    expect(frame).toMatch(/^A 127\.0\.0\.1:7000 +aaaaaaaa master +5461 +32,766 +7\.2 MB +1 +ok$/m);
    expect(frame).toMatch(/^D 127\.0\.0\.1:7003 +dddddddd master +0 +0 +976\.6 KB +0 +ok$/m);
    // The replica sits under its master, without slots.
    expect(frame).toMatch(/^ +└ 127\.0\.0\.1:7004 +eeeeeeee replica +0 +976\.6 KB +ok$/m);
  });

  it('folds the 16,384 slots into the width, one letter per master, with a legend', () => {
    const { lastFrame } = render(<Overview topology={liveTopology()} columns={100} rows={30} freshness="" />);
    const map = lines(lastFrame()).filter((l) => /^[ABCD.]{98}$/.test(l));
    expect(map).toHaveLength(6);
    const cells = map.join('');
    // Masters own a third each; the empty master owns no cell.
    expect(cells.match(/A/g)!.length).toBeGreaterThan(190);
    expect(cells).not.toContain('D');
    expect(lastFrame()).toMatch(/A 127\.0\.0\.1:7000 +B 127\.0\.0\.1:7001 +C 127\.0\.0\.1:7002 +D 127\.0\.0\.1:7003/);
    expect(lastFrame()).toMatch(/✓ all slots covered once/);
  });

  it('warns about open slots, failing nodes and uncovered slots, with the way out', () => {
    const text = FOUR_MASTERS.replace('0-5460', `0-5460 [42->-${B}]`).replace('master - 0 0 4 connected', 'master,fail - 0 0 4 disconnected').replace('10923-16383', '10923-16000');
    const t = liveTopology(text, 1, {});
    const { lastFrame } = render(<Overview topology={{ ...t, nodes: t.nodes.map((n) => (n.id === D ? { ...n, reachable: false, clusterState: undefined } : n)) }} columns={100} rows={30} freshness="" />);
    const frame = lastFrame()!;
    expect(frame).toMatch(/⚠ slot 42 is open on 127\.0\.0\.1:7000/);
    expect(frame).toMatch(/⚠ .*no owner: 16001-16383/);
    expect(frame).toMatch(/fix: slotpilot fix --seed 127\.0\.0\.1:7000$/m);
    expect(frame).toMatch(/fix: bring the node back/);
    expect(frame).toMatch(/^D 127\.0\.0\.1:7003 .*fail,unreachable,link down$/m);
    // Slots without an owner show as '.' on the map.
    expect(frame).toMatch(/\.{2,}$/m);
  });

  it('drops the memory column on an 80-column terminal and still fits every field', () => {
    const { lastFrame } = render(<Overview topology={liveTopology()} columns={80} rows={24} freshness="" />);
    const frame = lastFrame()!;
    expect(frame).not.toMatch(/memory/);
    for (const l of lines(frame)) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines(frame).filter((l) => /^[ABCD]{78}$/.test(l)).length).toBeGreaterThan(0);
    // With the app's title, key help (two lines at 80 columns) and a spare row, it fits 24 rows.
    expect(lines(frame).length).toBeLessThanOrEqual(24 - 5);
  });

  it('gives the map fewer rows when many warnings need the room, and stays within 24 rows', () => {
    const text = FOUR_MASTERS.replace('0-5460', `0-5460 [1->-${B}] [2->-${B}] [3->-${B}]`).replace('10923-16383', '10923-16000');
    const { lastFrame } = render(<Overview topology={liveTopology(text)} columns={80} rows={24} freshness="" />);
    expect(lastFrame()).toMatch(/… and 2 more/);
    expect(lines(lastFrame()).length).toBeLessThanOrEqual(24 - 5);
  });
});

describe('App on the overview', () => {
  it('opens on the overview with the key help, refreshes by itself and on r', async () => {
    const controller = new FakeController();
    const { lastFrame, stdin } = render(<App controller={controller} initial={liveTopology()} refreshMs={20} />);
    expect(lastFrame()).toMatch(/slotpilot · 127\.0\.0\.1:7000 · overview/);
    expect(lastFrame()).toMatch(/ b +build a plan +r +refresh +q +quit/);
    // A refresh that finds the new master loaded shows it.
    controller.topology = liveTopology(FOUR_MASTERS.replace('10923-16383', '10923-15000').replace('master - 0 0 4 connected', 'master - 0 0 4 connected 15001-16383'));
    await vi.waitFor(() => expect(lastFrame()).toMatch(/^D 127\.0\.0\.1:7003 +dddddddd master +1383 /m));
    const reads = controller.reads;
    expect(reads).toBeGreaterThan(0);
    stdin.write('r');
    await vi.waitFor(() => expect(controller.reads).toBeGreaterThan(reads));
  });

  it('quits on q and reports that nothing ran', async () => {
    const onExit = vi.fn();
    const { stdin } = render(<App controller={new FakeController()} initial={liveTopology()} refreshMs={0} onExit={onExit} />);
    await settle(stdin);
    stdin.write('q');
    await vi.waitFor(() => expect(onExit).toHaveBeenCalledWith({ summary: null, journal: null }));
  });

  it('lays out again when the terminal is resized', async () => {
    const { lastFrame, stdout } = render(<App controller={new FakeController()} initial={liveTopology()} refreshMs={0} />);
    expect(lines(lastFrame()).filter((l) => /^[ABC]{98}$/.test(l)).length).toBeGreaterThan(0);
    Object.defineProperty(stdout, 'columns', { get: () => 60, configurable: true });
    stdout.emit('resize');
    await vi.waitFor(() => expect(lines(lastFrame()).filter((l) => /^[ABC]{58}$/.test(l)).length).toBeGreaterThan(0));
    expect(lastFrame()).toContain(A.slice(0, 8));
  });
});
