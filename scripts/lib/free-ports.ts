import { createServer } from 'node:net';

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
 * local end of any outgoing connection before the server binds it (an import test once pinged
 * another test's server on its port, then lost it).
 */
const LOW = 10_000;
const HIGH = 22_767;

/**
 * `count` free loopback ports whose cluster bus ports (+10000) are free too. Ports come from a random
 * place in the window so parallel test files rarely race for the same ones.
 */
export async function findFreePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  let candidate = LOW + Math.floor(Math.random() * (HIGH - LOW));
  while (ports.length < count) {
    candidate = candidate >= HIGH ? LOW : candidate + 1;
    if ((await isFree(candidate)) && (await isFree(candidate + 10000))) ports.push(candidate);
  }
  return ports;
}
