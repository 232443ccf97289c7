#!/usr/bin/env node
/**
 * `npm test` and `npm run demo` run this first, so each works on a fresh clone with nothing run
 * before it: when a dependency named in package.json is missing, or installed at another version
 * than package-lock.json pins, it runs `npm ci` quietly (errors still shown). Plain JavaScript: it
 * runs before anything is built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const readJson = (path) => JSON.parse(readFileSync(root + path, 'utf8'));

/** The first direct dependency that is missing or not at the locked version, or null. */
function staleDependency() {
  const pkg = readJson('package.json');
  const lock = existsSync(root + 'package-lock.json') ? readJson('package-lock.json') : null;
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
    const installed = root + `node_modules/${name}/package.json`;
    if (!existsSync(installed)) return `${name} is not installed`;
    const locked = lock?.packages?.[`node_modules/${name}`]?.version;
    const version = JSON.parse(readFileSync(installed, 'utf8')).version;
    if (locked && version !== locked) return `${name} is ${version}, the lock file pins ${locked}`;
  }
  return null;
}

const why = staleDependency();
if (why) {
  const args = existsSync(root + 'package-lock.json') ? ['ci'] : ['install'];
  console.log(`installing dependencies (${why}): npm ${args[0]} …`);
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) {
    console.error(`npm ${args[0]} failed (exit ${r.status ?? r.signal}); run it yourself to see why`);
    process.exit(r.status ?? 1);
  }
}
