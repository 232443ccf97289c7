import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { skipHelpCache } from '../../../src/cli/skip-help-cache.js';

type WithUsage = { getInternalMethods(): { getUsageInstance(): { hasCachedHelpMessage(): boolean } } };

function parser(args: string[], ran: string[]) {
  return yargs(args).command('go', 'do it', {}, () => void ran.push('go')).strict().help();
}

describe('skipHelpCache', () => {
  it('yargs still renders the help text when a handler starts (else this optimization is moot)', async () => {
    const ran: string[] = [];
    const p = parser(['go'], ran);
    await p.parseAsync();
    expect(ran).toEqual(['go']);
    expect((p as unknown as WithUsage).getInternalMethods().getUsageInstance().hasCachedHelpMessage()).toBe(true);
  });

  it('skips that rendering and the command still runs', async () => {
    const ran: string[] = [];
    const p = parser(['go'], ran);
    expect(skipHelpCache(p)).toBe(true);
    await p.parseAsync();
    expect(ran).toEqual(['go']);
    expect((p as unknown as WithUsage).getInternalMethods().getUsageInstance().hasCachedHelpMessage()).toBe(false);
  });

  it('leaves --help working', async () => {
    const p = parser(['go', '--help'], []).exitProcess(false);
    skipHelpCache(p);
    const help = await new Promise<string>((resolve) => void p.parse(['go', '--help'], {}, (_e: unknown, _a: unknown, out: string) => resolve(out)));
    expect(help).toMatch(/do it/);
  });

  it('does nothing to something that is not a yargs instance', () => {
    expect(skipHelpCache({})).toBe(false);
    expect(skipHelpCache(null)).toBe(false);
  });
});
