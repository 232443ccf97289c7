import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Run a command for a benchmark: wall time, peak RSS sampled from /proc while it runs, and the tail
 * of its output for error reports (redis-cli can print a line per key).
 */
export function measureRun(cmd: string, argv: string[]): Promise<{ code: number | null; ms: number; rssKb: number; out: string }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (d: Buffer): void => {
      out = (out + d.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let rssKb = 0;
    const timer = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) rssKb = Math.max(rssKb, Number(m[1]));
      } catch {
        // exited
      }
    }, 50);
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, ms: performance.now() - started, rssKb, out });
    });
  });
}
