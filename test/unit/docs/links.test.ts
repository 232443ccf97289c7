/**
 * The README is the front page and docs/ the reference: every relative link in README.md,
 * CHANGELOG.md and docs/*.md must land on a file that exists and, with an anchor, on a heading of
 * that file; and the README stays a front page (at most 15,000 characters). External links are not
 * fetched: the tests run without network.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { headingAnchors, isExternal, markdownLinks, slugify } from './markdown-links.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const README_MAX_CHARS = 15_000;

const docFiles = (): string[] => [
  join(ROOT, 'README.md'),
  join(ROOT, 'CHANGELOG.md'),
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => join(ROOT, 'docs', f)),
];

/** How the checker sees files; the checker's own test swaps in a few made-up ones. */
interface Files {
  read(path: string): string;
  /** undefined: nothing there. */
  kind(path: string): 'file' | 'dir' | undefined;
}

const disk: Files = {
  read: (p) => readFileSync(p, 'utf8'),
  kind: (p) => (existsSync(p) ? (statSync(p).isFile() ? 'file' : 'dir') : undefined),
};

/** Every link of `file` that does not resolve, as `file:line → target (why)`. */
function brokenLinks(file: string, fs: Files = disk): string[] {
  const broken: string[] = [];
  for (const { target, line } of markdownLinks(fs.read(file))) {
    if (isExternal(target)) continue;
    const hash = target.indexOf('#');
    const path = hash === -1 ? target : target.slice(0, hash);
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const where = `${relative(ROOT, file)}:${line} → ${target}`;
    const dest = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
    const kind = fs.kind(dest);
    if (kind === undefined) {
      broken.push(`${where} (no such file)`);
      continue;
    }
    if (anchor === undefined) continue;
    if (kind !== 'file' || !dest.endsWith('.md')) {
      broken.push(`${where} (an anchor into something that is not a Markdown file)`);
      continue;
    }
    if (!headingAnchors(fs.read(dest)).includes(anchor)) broken.push(`${where} (no heading with that anchor)`);
  }
  return broken;
}

describe('documentation links', () => {
  it('README.md, CHANGELOG.md and docs/ exist, and docs/ holds the reference', () => {
    const names = docFiles().map((f) => relative(ROOT, f));
    expect(names).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md', 'docs/commands.md']));
    expect(names.filter((n) => n.startsWith('docs/')).length).toBeGreaterThanOrEqual(5);
  });

  it('README.md is a front page: at most 15,000 characters', () => {
    const chars = [...readFileSync(join(ROOT, 'README.md'), 'utf8')].length;
    expect(chars).toBeLessThanOrEqual(README_MAX_CHARS);
  });

  it.each(docFiles().map((f) => [relative(ROOT, f), f]))('every relative link in %s resolves', (_name, file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it('the README links into the reference', () => {
    const targets = markdownLinks(readFileSync(join(ROOT, 'README.md'), 'utf8')).map((l) => l.target);
    expect(targets.some((t) => t.startsWith('docs/commands.md#'))).toBe(true);
  });
});

describe('the link checker itself', () => {
  const files: Record<string, string> = {
    [join(ROOT, 'docs', 'a.md')]: [
      '# Title',
      '## `slotpilot check --seed HOST:PORT [--json]`',
      '## Usage',
      '## Usage',
      '```sh',
      '# not a heading [nor](a-link.md)',
      '```',
      'ok: [t](#title) [c](#slotpilot-check---seed-hostport---json) [u](#usage-1) [r](../README.md) [w](https://example.com/x.md)',
      'broken: [f](missing.md) [h](#nope) [d](#usage-2) [x](../README.md#no-such-heading)',
      '[ref]: gone.md',
    ].join('\n'),
  };
  const fs: Files = { read: (p) => files[p] ?? disk.read(p), kind: (p) => (p in files ? 'file' : disk.kind(p)) };

  it('makes GitHub anchors: lowercase, punctuation dropped, spaces to -, repeats numbered', () => {
    expect(slugify('`slotpilot check --seed HOST:PORT [--json]`')).toBe('slotpilot-check---seed-hostport---json');
    expect(slugify('Adding, removing and replacing nodes')).toBe('adding-removing-and-replacing-nodes');
    expect(slugify('Key counts in scripts of ≤1,024 slots')).toBe('key-counts-in-scripts-of-1024-slots');
    expect(slugify('snake_case and [a link](x.md)')).toBe('snake_case-and-a-link');
    expect(headingAnchors(files[join(ROOT, 'docs', 'a.md')]!)).toEqual(['title', 'slotpilot-check---seed-hostport---json', 'usage', 'usage-1']);
  });

  it('reports missing files and anchors, skips code blocks and external links', () => {
    const broken = brokenLinks(join(ROOT, 'docs', 'a.md'), fs);
    expect(broken).toEqual([
      'docs/a.md:9 → missing.md (no such file)',
      'docs/a.md:9 → #nope (no heading with that anchor)',
      'docs/a.md:9 → #usage-2 (no heading with that anchor)',
      'docs/a.md:9 → ../README.md#no-such-heading (no heading with that anchor)',
      'docs/a.md:10 → gone.md (no such file)',
    ]);
  });
});
