import { describe, expect, it } from 'vitest';
import { claimCommands, claimResults, claimSlots, transactionsAllowed, type CommandLink } from '../../../src/executor/claim-slots.js';

const T = 't'.repeat(40);

/** A link that answers from a script: `reply(args)` returns the reply or throws the Redis error. */
function scripted(reply: (args: string[]) => unknown): CommandLink & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    call: async (...args: string[]) => {
      sent.push(args.join(' '));
      return reply(args);
    },
  };
}

describe('claim transaction', () => {
  it('bumps first, clears and claims every slot but the last, claims the last through the importing path', () => {
    expect(claimCommands(T, [5, 6, 9]).map((c) => c.join(' '))).toEqual([
      'MULTI',
      'CLUSTER BUMPEPOCH',
      'CLUSTER SETSLOT 5 STABLE',
      `CLUSTER SETSLOT 5 NODE ${T}`,
      'CLUSTER SETSLOT 6 STABLE',
      `CLUSTER SETSLOT 6 NODE ${T}`,
      `CLUSTER SETSLOT 9 NODE ${T}`,
      'EXEC',
    ]);
  });

  it("reads each slot's outcome from EXEC's replies; a short reply fails the slots it misses", () => {
    const refused = new Error('ERR refused');
    expect(claimResults([5, 6, 9], ['STILL 4', 'OK', 'OK', 'OK', refused, 'OK'])).toEqual([null, refused, null]);
    expect(claimResults([5, 6], ['BUMPED 5', 'OK', 'OK', 'OK'])).toEqual([null, null]);
    const short = claimResults([5, 6], ['BUMPED 5', 'OK', 'OK']);
    expect(short[0]).toBeNull();
    expect(short[1]?.message).toMatch(/no reply for slot 6/);
  });

  it('one slot, or a node without transactions: one SETSLOT NODE per slot', async () => {
    const link = scripted(() => 'OK');
    expect(await claimSlots(link, T, [5], { transactions: true })).toEqual([null]);
    expect(await claimSlots(link, T, [6, 7], { transactions: false })).toEqual([null, null]);
    expect(link.sent).toEqual([5, 6, 7].map((s) => `CLUSTER SETSLOT ${s} NODE ${T}`));
  });

  it('a transaction refused whole (EXECABORT) is claimed one by one, and the node stays on that path', async () => {
    const link = scripted((args) => {
      if (args[0] === 'EXEC') throw new Error('EXECABORT Transaction discarded because of previous errors.');
      return args[0] === 'MULTI' ? 'OK' : 'QUEUED';
    });
    const mode = { transactions: true };
    expect(await claimSlots(link, T, [5, 6], mode)).toEqual([null, null]);
    expect(mode.transactions).toBe(false);
    expect(link.sent.slice(-2)).toEqual([`CLUSTER SETSLOT 5 NODE ${T}`, `CLUSTER SETSLOT 6 NODE ${T}`]);
  });

  it('transactions only on Redis servers where this user may run MULTI/EXEC and INFO', async () => {
    const server = (info: string, refuse: string | null = null) =>
      scripted((args) => {
        if (args[0] === refuse) throw new Error(`NOPERM this user has no permissions to run the '${refuse.toLowerCase()}' command`);
        return args[0] === 'INFO' ? info : args[0] === 'EXEC' ? [] : 'OK';
      });
    const redis = '# Server\r\nredis_version:7.0.15\r\nredis_mode:cluster\r\n';
    expect(await transactionsAllowed(server(redis))).toBe(true);
    // Valkey 8+ replicates SETSLOT to replicas and waits for them: not inside a transaction.
    expect(await transactionsAllowed(server('# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.1.0\r\n'))).toBe(false);
    expect(await transactionsAllowed(server(redis, 'MULTI'))).toBe(false);
    expect(await transactionsAllowed(server(redis, 'INFO'))).toBe(false);
  });

  it('a lost connection fails every slot of the transaction with its error', async () => {
    const gone = new Error('Connection is closed by 127.0.0.1:7000');
    const link = scripted(() => {
      throw gone;
    });
    expect(await claimSlots(link, T, [5, 6], { transactions: true })).toEqual([gone, gone]);
  });
});
