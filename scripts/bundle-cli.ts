/**
 * `npm run build` step 2: bundle the CLI (dist/src/cli/run-cli.js and what it imports, packages
 * included) into one module plus chunks, in place. Node loads a hundred-odd small ES modules in
 * about 0.33 s of CPU before the first line runs; the bundle loads in about 0.17 s, and every command
 * (and every Redis client on a shared host) gets that back. Ink and React stay outside: the TUI
 * loads them only when it opens. The unbundled files stay too: tests and scripts import them.
 */
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dir = fileURLToPath(new URL('../src/cli/', import.meta.url));
for (const f of readdirSync(dir)) if (/^(chunk|open-tui)-[A-Z0-9]+\.js$/.test(f)) rmSync(dir + f);

await build({
  entryPoints: [dir + 'run-cli.js'],
  outdir: dir,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['ink', 'react', 'react/*', '@inkjs/ui', 'ink-*'],
  // Bundled CommonJS packages (ioredis) call require; an ES module has none of its own.
  banner: { js: "import { createRequire as __slotpilotRequire } from 'node:module'; const require = __slotpilotRequire(import.meta.url);" },
  logLevel: 'warning',
});
