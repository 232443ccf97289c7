/**
 * Relative links in Markdown and the anchors GitHub gives headings, so a test can tell that every
 * link in the README and docs/ lands on a file and heading that exist. Pure: the caller reads files.
 */

/** A link as written: its target and the line it is on (1-based), for the failure message. */
export interface MarkdownLink {
  readonly target: string;
  readonly line: number;
}

/**
 * The text with fenced code blocks blanked out, line count kept: a `# comment` in a shell capture is
 * not a heading, and `[x](y)` in a capture is not a link.
 */
function withoutCodeBlocks(text: string): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker !== undefined) {
      fence = marker;
      return '';
    }
    if (fence !== undefined) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
      return '';
    }
    return line;
  });
}

/** Inline code spans hold text, not links or emphasis. */
const stripInlineCode = (line: string): string => line.replace(/(`+)(.+?)\1/g, (_, _ticks: string, code: string) => code);

/**
 * GitHub's heading anchor (github-slugger): the rendered text lowercased, every character that is
 * not a letter, digit, mark, connector (`_`), space or `-` removed, each space turned into `-`.
 */
export function slugify(heading: string): string {
  const rendered = stripInlineCode(heading)
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // [text](url) renders as text
    .replace(/<[^>]+>/g, ''); // inline HTML tags; emphasis marks go with the other punctuation below
  return rendered
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every heading's anchor in document order; a repeated slug gets `-1`, `-2`, … as on GitHub. */
export function headingAnchors(text: string): string[] {
  const seen = new Map<string, number>();
  const anchors: string[] = [];
  for (const line of withoutCodeBlocks(text)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = slugify(heading);
    const n = seen.get(slug);
    anchors.push(n === undefined ? slug : `${slug}-${n}`);
    seen.set(slug, (n ?? 0) + 1);
  }
  return anchors;
}

/** Inline links and images `[x](target "title")` and reference definitions `[x]: target`. */
export function markdownLinks(text: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  withoutCodeBlocks(text).forEach((raw, i) => {
    const line = raw.replace(/(`+)(.+?)\1/g, '');
    for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ target: m[1]!, line: i + 1 });
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/.exec(line);
    if (definition) links.push({ target: definition[1]!, line: i + 1 });
  });
  return links;
}

/** Links that leave the repository's files: not checked (the tests run without network). */
export const isExternal = (target: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(target);
