import { closeSync, mkdirSync, openSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Ports come from 10000-22767, so that a port and its cluster bus port (+10000) stay below Linux's
 * ephemeral range (32768-60999 by default): there, a port free when checked could be taken by the
 * local end of any outgoing connection before the server binds it.
 */
const LOW = 10_000;
const HIGH = 22_767;

/**
 * A port checked free is not yet bound: two callers (a cluster and a standalone started together,
 * two test files in parallel) could both be handed it, and the server that loses the bind exits
 * while the other answers in its place. So each port handed out is reserved by creating a file
 * (exclusive create: one winner across processes); reservations expire after 30 minutes.
 */
const RESERVATIONS = join(tmpdir(), 'slotpilot-ports');
const EXPIRE_MS = 30 * 60_000;

function reserve(port: number): boolean {
  const file = join(RESERVATIONS, String(port));
  try {
    closeSync(openSync(file, 'wx'));
    return true;
  } catch {
    try {
      if (Date.now() - statSync(file).mtimeMs < EXPIRE_MS) return false;
      unlinkSync(file);
      closeSync(openSync(file, 'wx'));
      return true;
    } catch {
      return false;
    }
  }
}

/** Drop expired reservations now and then, so the directory stays small. */
function sweep(): void {
  try {
    for (const name of readdirSync(RESERVATIONS)) {
      const file = join(RESERVATIONS, name);
      if (Date.now() - statSync(file).mtimeMs > EXPIRE_MS) unlinkSync(file);
    }
  } catch {
    // another process swept first
  }
}

/** Give a reservation back (its port turned out to be in use, or its bus port was taken). */
function unreserve(port: number): void {
  try {
    unlinkSync(join(RESERVATIONS, String(port)));
  } catch {
    // already gone
  }
}

/**
 * Reserve `port` and its cluster bus port (+10000) together, in one namespace: client ports reach
 * 22767 and bus ports start at 20000, so without the second reservation another caller could be
 * handed this node's bus port as its own client port before either node binds it.
 */
function reservePair(port: number): boolean {
  if (!reserve(port)) return false;
  if (reserve(port + 10000)) return true;
  unreserve(port);
  return false;
}

/**
 * `count` free loopback ports whose cluster bus ports (+10000) are free too, each reserved (with its
 * bus port) for this caller. They come from a random place in the window so parallel callers rarely
 * meet; `start` (tests) sets that place.
 */
export async function findFreePorts(count: number, start?: number): Promise<number[]> {
  mkdirSync(RESERVATIONS, { recursive: true });
  if (Math.random() < 0.05) sweep();
  const ports: number[] = [];
  let candidate = start ?? LOW + Math.floor(Math.random() * (HIGH - LOW));
  for (let tried = 0; ports.length < count; tried++) {
    if (tried > HIGH - LOW) throw new Error(`no ${count} free ports left in ${LOW}-${HIGH} (reservations in ${RESERVATIONS})`);
    candidate = candidate >= HIGH ? LOW : candidate + 1;
    if (!reservePair(candidate)) continue;
    if ((await isFree(candidate)) && (await isFree(candidate + 10000))) ports.push(candidate);
  }
  return ports;
}
