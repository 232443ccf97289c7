import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuOfStat, processCpuSeconds, reapedChildrenCpuSeconds } from '../../../scripts/lib/cpu-usage.js';

// A real line's shape; the command name holds a space and a ')' to show fields count from the last one.
const STAT = '4242 (node (x) y) S 1 4242 4242 0 -1 4194304 5000 0 0 0 250 31 7 3 20 0 11 0 100 1000000 5000 18446744073709551615';

describe('cpuOfStat', () => {
  it('reads user + system time of the process and of its reaped children, in seconds', () => {
    expect(cpuOfStat(STAT, 'self')).toBeCloseTo(2.81);
    expect(cpuOfStat(STAT, 'children')).toBeCloseTo(0.1);
  });

  it('refuses a text that is not a stat line', () => {
    expect(() => cpuOfStat('nothing here', 'self')).toThrow(/not a \/proc stat line/);
  });
});

describe.runIf(process.platform === 'linux')('on this machine', () => {
  it('counts the CPU a finished child burned, and reads a live process', () => {
    const before = reapedChildrenCpuSeconds()!;
    // About 0.3 s of CPU in a child, reaped before spawnSync returns.
    spawnSync(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 300);']);
    expect(reapedChildrenCpuSeconds()! - before).toBeGreaterThan(0.15);
    expect(processCpuSeconds(process.pid)).toBeGreaterThan(0);
    expect(processCpuSeconds(2 ** 30)).toBeNull();
  });
});
