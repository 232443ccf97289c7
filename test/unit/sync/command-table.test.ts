import { describe, expect, it } from 'vitest';
import { keyPositions, parseCommandTable, specOf } from '../../../src/sync/command-table.js';
import { COMMAND_REPLY, TABLE } from './command-fixtures.js';

const b = (...args: string[]): Buffer[] => args.map((a) => Buffer.from(a));
const keysOf = (...args: string[]) => keyPositions(specOf(TABLE, b(...args))!, b(...args));

describe('command table from the source\'s COMMAND', () => {
  it('finds keys by index and range, with a step and to the end', () => {
    expect(keysOf('SET', 'k', 'v', 'PX', '10')).toEqual([1]);
    expect(keysOf('DEL', 'a', 'b', 'c')).toEqual([1, 2, 3]);
    expect(keysOf('MSET', 'a', '1', 'b', '2')).toEqual([1, 3]);
    expect(keysOf('LMOVE', 'src', 'dst', 'LEFT', 'RIGHT')).toEqual([1, 2]);
  });

  it('finds keys by a key count (scripts, ZUNIONSTORE) and by keyword (GEORADIUS … STORE)', () => {
    expect(keysOf('EVAL', 'return 1', '2', 'k1', 'k2', 'arg')).toEqual([3, 4]);
    expect(keysOf('EVAL', 'return 1', '0', 'arg')).toEqual([]);
    expect(keysOf('ZUNIONSTORE', 'dst', '2', 'a', 'b', 'WEIGHTS', '1', '2')).toEqual([1, 3, 4]);
    expect(keysOf('GEORADIUS', 'g', '0', '0', '1', 'km', 'STORE', 'out')).toEqual([1, 7]);
    expect(keysOf('GEORADIUS', 'g', '0', '0', '1', 'km')).toEqual([1]);
  });

  it('says unknown where the specs are incomplete (SORT … BY/GET), and takes subcommands', () => {
    expect(keysOf('SORT', 'k', 'BY', 'w_*')).toBe('unknown');
    expect(specOf(TABLE, b('OBJECT', 'ENCODING', 'k'))!.name).toBe('object|encoding');
    expect(keysOf('OBJECT', 'ENCODING', 'k')).toEqual([2]);
    expect(specOf(TABLE, b('NOSUCH', 'x'))).toBeNull();
  });

  it('reads a pre-7 source (first, last, step) too', () => {
    const old = parseCommandTable([['mset', -3, ['write'], 1, -1, 2], ['get', 2, ['readonly'], 1, 1, 1], ['eval', -3, ['noscript', 'movablekeys'], 0, 0, 0]]);
    expect(keyPositions(old.get('mset')!, b('MSET', 'a', '1', 'b', '2'))).toEqual([1, 3]);
    expect(keyPositions(old.get('get')!, b('GET', 'a'))).toEqual([1]);
    expect(keyPositions(old.get('eval')!, b('EVAL', 's', '1', 'k'))).toBe('unknown');
    expect(COMMAND_REPLY.length).toBe(TABLE.size);
  });
});
