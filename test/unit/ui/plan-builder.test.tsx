import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../../src/ui/App.js';
import { D, FakeController, FOUR_MASTERS, KEY, liveTopology, settle } from './fixtures.js';

afterEach(() => cleanup());

/** The app on the plan builder, with the controller to inspect. */
async function builder(topology = liveTopology()) {
  const controller = new FakeController(topology);
  const app = render(<App controller={controller} initial={topology} refreshMs={0} />);
  await settle(app.stdin);
  app.stdin.write('b');
  await vi.waitFor(() => expect(app.lastFrame()).toMatch(/· builder/));
  const press = async (key: string, expected: RegExp): Promise<string> => {
    app.stdin.write(key);
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(expected));
    return app.lastFrame()!;
  };
  return { controller, app, press };
}

describe('plan builder', () => {
  it('starts on "fill new masters" when a master has no slot, with a live before → after preview', async () => {
    const { app } = await builder();
    const frame = app.lastFrame()!;
    expect(frame).toMatch(/› strategy +‹ fill new masters ›/);
    expect(frame).toMatch(/preview \(slots\): before → after/);
    expect(frame).toMatch(/127\.0\.0\.1:7003 +░+ → █+░* 0 → 4,096/);
    expect(frame).toMatch(/127\.0\.0\.1:7000 +█+ → █+░+ 5,461 → 4,096/);
    expect(frame).toMatch(/moves: 4,096 slots, 24,576 keys, [\d.]+ [KM]B · estimated [\d.]+ s/);
    expect(frame).toMatch(/ enter +review & start/);
  });

  it('changes options with the arrows: balance by, threshold, a weight per node', async () => {
    const { press } = await builder();
    await press(KEY.down, /› balance by +‹ slots ›/);
    await press(KEY.right, /preview \(keys\)/);
    await press(KEY.down, /› threshold +‹ 2 % ›/);
    await press(KEY.shiftRight, /› threshold +‹ 7 % ›/);
    await press(KEY.down, /› weight A +‹ 1 /);
    // Weight 0 drains A: the preview shows it going to 0 keys.
    await press(KEY.left, /› weight A +‹ 0\.5 /);
    const frame = await press(KEY.left, /› weight A +‹ 0 \(drain\)/);
    expect(frame).toMatch(/127\.0\.0\.1:7000 +█+ → ░+ 32,766 → 0/);
  });

  it('switches strategy: drain picks a node, move picks two nodes and a count', async () => {
    const { press } = await builder();
    let frame = await press(KEY.right, /‹ drain a node ›/);
    frame = await press(KEY.down, /› balance by/);
    frame = await press(KEY.down, /› drain +‹ A 127\.0\.0\.1:7000 \(aaaaaaaa\) ›/);
    frame = await press(KEY.right, /› drain +‹ B 127\.0\.0\.1:7001/);
    expect(frame).toMatch(/127\.0\.0\.1:7001 +█+ → ░+ 5,462 → 0/);
    await press(KEY.up, /› balance by/);
    await press(KEY.up, /› strategy/);
    frame = await press(KEY.right, /‹ move slots between two nodes ›/);
    // The drained node stays picked as the source; the target moves off it.
    expect(frame).toMatch(/from +B 127\.0\.0\.1:7001/);
    expect(frame).toMatch(/to +C 127\.0\.0\.1:7002/);
    await press(KEY.down, /› from/);
    await press(KEY.down, /› to/);
    frame = await press(KEY.right, /› to +‹ D 127\.0\.0\.1:7003/);
    await press(KEY.down, /› slots +‹ 100 ›/);
    frame = await press(KEY.right, /› slots +‹ 110 ›/);
    expect(frame).toMatch(/moves: 110 slots, 660 keys/);
    expect(frame).toMatch(/127\.0\.0\.1:7003 .* 0 → 110/);
  });

  it('says why it cannot plan instead of failing', async () => {
    const { press } = await builder();
    await press(KEY.left, /‹ rebalance ›/);
    await press(KEY.left, /‹ move slots between two nodes ›/);
    await press(KEY.down, /› from/);
    // The empty master has no slot to give.
    const frame = await press(KEY.left, /› from +‹ D 127\.0\.0\.1:7003/);
    expect(frame).toMatch(/cannot plan: /);
  });

  it('saves the plan to a file on s', async () => {
    const { press, controller } = await builder();
    await press('s', /plan saved to plan-saved\.json/);
    expect(controller.saved).toHaveLength(1);
    expect(controller.saved[0]!.moves).toHaveLength(4096);
  });

  it('refuses to go on with an empty plan, and esc goes back to the overview', async () => {
    const balanced = liveTopology(FOUR_MASTERS.replace(' connected\n', ' connected\n').replace(`${D} 127.0.0.1:7003@17003 master - 0 0 4 connected`, `${D} 127.0.0.1:7003@17003 slave ${'b'.repeat(40)} 0 0 4 connected`));
    const { press, controller } = await builder(balanced);
    await press(KEY.enter, /nothing to move: the plan is empty/);
    expect(controller.started).toHaveLength(0);
    await press(KEY.escape, /· overview/);
  });
});

describe('confirmation', () => {
  it('states what will change and starts nothing before y', async () => {
    const { press, controller, app } = await builder();
    const frame = await press(KEY.enter, /Start moving slots\?/);
    expect(frame).toMatch(/This moves 4,096 slots \(24,576 keys, [\d.]+ [KM]B\) between 4 masters, about [\d.]+ s:/);
    expect(frame).toMatch(/127\.0\.0\.1:7000 \(aaaaaaaa\): 5461 → 4096 slots -1365/);
    expect(frame).toMatch(/127\.0\.0\.1:7003 \(dddddddd\): 0 → 4096 slots \+4096/);
    expect(frame).toMatch(/concurrency 512, max 2 ms per MIGRATE/);
    expect(frame).toMatch(/ y +start +n\/esc +back/);
    // q is not a "yes" and does not quit from here by accident.
    app.stdin.write('q');
    app.stdin.write('x');
    await press('n', /build a plan/);
    expect(controller.started).toHaveLength(0);
    await press(KEY.enter, /Start moving slots\?/);
    await press('y', /· run/);
    expect(controller.started).toHaveLength(1);
    expect(controller.started[0]!.moves).toHaveLength(4096);
  });

  it('opens on the confirmation of a given plan file', async () => {
    const controller = new FakeController();
    const topology = liveTopology();
    const { makePlan } = await import('../../../src/planner/make-plan.js');
    const plan = makePlan(topology, { strategy: 'move', from: 'a'.repeat(40), to: D, count: 5 }, 'test');
    const { lastFrame, stdin } = render(<App controller={controller} initial={topology} plan={plan} refreshMs={0} />);
    expect(lastFrame()).toMatch(/This moves 5 slots/);
    await settle(stdin);
    stdin.write(KEY.escape);
    await vi.waitFor(() => expect(lastFrame()).toMatch(/· overview/));
    expect(controller.started).toHaveLength(0);
  });
});
