import { createServer } from 'node:net';

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * `count` free loopback ports whose cluster bus ports (+10000) are free too. Ports come from a random
 * window so parallel test files rarely race for the same ones.
 */
export async function findFreePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  let candidate = 20000 + Math.floor(Math.random() * 30000);
  while (ports.length < count) {
    candidate = candidate >= 55000 ? 20000 : candidate + 1;
    if ((await isFree(candidate)) && (await isFree(candidate + 10000))) ports.push(candidate);
  }
  return ports;
}
