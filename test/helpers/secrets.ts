/**
 * Secret hygiene checks: nothing slotpilot prints, writes or shows in `ps` may contain a password or
 * key material. Tests collect every output and file and grep them here.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/** Every place where `secret` appears in `sources` (name → text). */
export function secretLeaks(sources: Readonly<Record<string, string>>, secrets: readonly string[]): string[] {
  const leaks: string[] = [];
  for (const [name, text] of Object.entries(sources)) {
    for (const s of secrets) if (s && text.includes(s)) leaks.push(`${name} contains ${s.slice(0, 4)}…`);
  }
  return leaks;
}

export function expectNoSecret(sources: Readonly<Record<string, string>>, secrets: readonly string[]): void {
  expect(secretLeaks(sources, secrets)).toEqual([]);
}

/** What `ps` shows for a process: its command line and name (Linux /proc). */
export function processTitle(pid: number): string {
  const read = (f: string): string => {
    try {
      return readFileSync(`/proc/${pid}/${f}`, 'utf8').replace(/\0/g, ' ');
    } catch {
      return '';
    }
  };
  return `${read('cmdline')}\n${read('comm')}`;
}

/** Lines of a PEM file's base64 body: what would show if key material leaked. */
export function pemBodyLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length >= 40 && !l.startsWith('-----'));
}

/** One line on stderr, no stack trace. */
export function expectOneLineError(stderr: string): void {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^slotpilot: /);
  expect(stderr).not.toMatch(/\n\s+at |Error: .*\n.*at /);
}
