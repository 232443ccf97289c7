/** COMMAND entries as a Redis 7 source answers them (RESP2 as ioredis returns it), for the sync tests. */
import { parseCommandTable, type CommandTable } from '../../../src/sync/command-table.js';

const index = (i: number) => ['type', 'index', 'spec', ['index', i]];
const keyword = (k: string, from: number) => ['type', 'keyword', 'spec', ['keyword', k, 'startfrom', from]];
const range = (last: number, step = 1, limit = 0) => ['type', 'range', 'spec', ['lastkey', last, 'keystep', step, 'limit', limit]];
const keynum = (idx: number, first: number, step = 1) => ['type', 'keynum', 'spec', ['keynumidx', idx, 'firstkey', first, 'keystep', step]];
const ks = (begin: unknown[], find: unknown[], flags: string[] = ['RW']) => ['flags', flags, 'begin_search', begin, 'find_keys', find];
const cmd = (name: string, specs: unknown[][], flags: string[] = ['write'], subs: unknown[] = []) => [name, -2, flags, 1, -1, 1, ['@write'], [], specs, subs];

/** The commands the tests route, with their real key specs (from redis-server 7.0's COMMAND INFO). */
export const COMMAND_REPLY: unknown[] = [
  cmd('set', [ks(index(1), range(0))]),
  cmd('get', [ks(index(1), range(0))], ['readonly']),
  cmd('incr', [ks(index(1), range(0))]),
  cmd('rpush', [ks(index(1), range(0))]),
  cmd('hincrby', [ks(index(1), range(0))]),
  cmd('pexpireat', [ks(index(1), range(0))]),
  cmd('del', [ks(index(1), range(-1), ['RM', 'delete'])]),
  cmd('unlink', [ks(index(1), range(-1), ['RM', 'delete'])]),
  cmd('mset', [ks(index(1), range(-1, 2), ['OW', 'update'])]),
  cmd('msetnx', [ks(index(1), range(-1, 2), ['OW', 'insert'])]),
  cmd('lmove', [ks(index(1), range(0)), ks(index(2), range(0))]),
  cmd('rename', [ks(index(1), range(0)), ks(index(2), range(0))]),
  cmd('eval', [ks(index(2), keynum(0, 1))], ['noscript', 'movablekeys']),
  cmd('zunionstore', [ks(index(1), range(0)), ks(index(2), keynum(0, 1))], ['write', 'movablekeys']),
  cmd('georadius', [ks(index(1), range(0)), ks(keyword('STORE', 6), range(0)), ks(keyword('STOREDIST', 6), range(0))], ['write', 'movablekeys']),
  cmd('sort', [ks(index(1), range(0)), ks(['type', 'unknown', 'spec', []], ['type', 'unknown', 'spec', []], ['RW', 'incomplete'])], ['write', 'movablekeys']),
  cmd('copy', [ks(index(1), range(0)), ks(index(2), range(0))]),
  cmd('xadd', [ks(index(1), range(0))]),
  cmd('object', [], ['readonly'], [cmd('object|encoding', [ks(index(2), range(0))], ['readonly'])]),
  cmd('restore-asking', [ks(index(1), range(0))]),
];

export const TABLE: CommandTable = parseCommandTable(COMMAND_REPLY);

/** RESP of a command. */
export function resp(...args: string[]): Buffer {
  return Buffer.from(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
}
