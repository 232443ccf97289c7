import { execFileSync } from 'node:child_process';

let found: string | undefined;

function which(bin: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Path of `redis-server`. When it is missing and we are root (CI, a fresh container), install it from
 * Debian's packages; otherwise say how.
 */
export function ensureRedisServer(): string {
  if (found) return found;
  found = which('redis-server');
  if (found) return found;
  if (process.getuid?.() === 0 && which('apt-get')) {
    process.stderr.write('redis-server not found: installing it with apt-get (Debian package redis-server)...\n');
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools'], {
      stdio: 'inherit',
    });
    found = which('redis-server');
    if (found) return found;
  }
  throw new Error(
    'redis-server is not installed. Install it first: Debian/Ubuntu `sudo apt-get install -y redis-server`, macOS `brew install redis`.',
  );
}

/** Path of `redis-cli` (the benchmark's baseline), installed alongside redis-server. */
export function ensureRedisCli(): string {
  ensureRedisServer();
  const cli = which('redis-cli');
  if (!cli) throw new Error('redis-cli is not installed (Debian: apt-get install -y redis-tools)');
  return cli;
}
