/**
 * Drive a program inside a detached tmux session, as a person at a terminal would: send keys, read
 * the screen. Each session gets its own tmux server (`-L <socket>`), so it never touches anyone
 * else's sessions, and `kill()` stops that server and everything in it.
 * Used by the TUI end-to-end test and the TUI speed measurement.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';

export interface TmuxSessionOptions {
  /** Shell command to run in the session's only window. */
  readonly command: string;
  readonly columns?: number;
  readonly rows?: number;
  readonly cwd?: string;
  /** Environment for the command (tmux starts it from the server's environment plus these). */
  readonly env?: Readonly<Record<string, string>>;
}

export class TmuxSession {
  /** Unique server socket name: sessions of parallel tests and other users never meet. */
  readonly socket = `slotpilot-${process.pid}-${randomBytes(4).toString('hex')}`;

  constructor(opts: TmuxSessionOptions) {
    const env = Object.entries(opts.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    this.#tmux(['new-session', '-d', '-x', String(opts.columns ?? 100), '-y', String(opts.rows ?? 30), ...(opts.cwd ? ['-c', opts.cwd] : []), ...env, opts.command]);
    this.#socketPath = this.#tmux(['display-message', '-p', '#{socket_path}']).trim();
  }

  /** tmux leaves its socket file behind when the server stops; removed in `kill()`. */
  readonly #socketPath: string;

  #tmux(args: readonly string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** The visible screen as text (no colours), trailing blank lines dropped. */
  screen(): string {
    return this.#tmux(['capture-pane', '-p']).replace(/\s+$/, '');
  }

  /** tmux key names (`Enter`, `Down`, `S-Right`, `C-c`) or single characters, one after another. */
  keys(...keys: string[]): void {
    for (const k of keys) this.#tmux(k.length === 1 ? ['send-keys', '-l', '--', k] : ['send-keys', k]);
  }

  resize(columns: number, rows: number): void {
    this.#tmux(['resize-window', '-x', String(columns), '-y', String(rows)]);
  }

  /** Wait until the screen matches; throws with the last screen when it does not in time. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      try {
        last = this.screen();
      } catch {
        // The session may be gone (the command exited and nothing keeps the window open).
      }
      if (pattern.test(last)) return last;
      if (Date.now() > deadline) throw new Error(`screen did not show ${pattern} within ${timeoutMs} ms; last screen:\n${last}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stop the tmux server of this session (and the program in it). Safe to call twice. */
  kill(): void {
    try {
      this.#tmux(['kill-server']);
    } catch {
      // Already gone.
    }
    if (this.#socketPath) rmSync(this.#socketPath, { force: true });
  }
}

/** Quote a word for the shell command tmux runs. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
