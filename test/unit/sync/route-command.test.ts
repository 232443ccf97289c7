import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import { RespStreamParser } from '../../../src/sync/resp-stream.js';
import { routeCommand, type Route } from '../../../src/sync/route-command.js';
import { resp, TABLE } from './command-fixtures.js';

const cmd = (...args: string[]) => new RespStreamParser(0).push(resp(...args))[0]!;
const route = (db: number, ...args: string[]): Route => routeCommand(cmd(...args), TABLE, db, 0);
const slot = (k: string): number => calculateSlot(k);

describe('routing the stream by the slots of the keys', () => {
  it('sends a one-slot command as it came, to its slot', () => {
    const r = route(0, 'SET', 'user:1', 'v');
    expect(r).toMatchObject({ kind: 'keys', split: false, parts: [{ slot: slot('user:1') }] });
    expect((r as Extract<Route, { kind: 'keys' }>).parts[0]!.raw.equals(resp('SET', 'user:1', 'v'))).toBe(true);
    expect(route(0, 'MSET', '{t}a', '1', '{t}b', '2')).toMatchObject({ kind: 'keys', split: false });
  });

  it('splits DEL, UNLINK and MSET(NX) per slot, keeping each value with its key', () => {
    const r = route(0, 'MSETNX', 'a', '1', 'b', '2', '{a}x', '3') as Extract<Route, { kind: 'keys' }>;
    expect(r.split).toBe(true);
    const bySlot = Object.fromEntries(r.parts.map((p) => [p.slot, p.raw.toString()]));
    expect(bySlot[slot('a')]).toBe(resp('MSET', 'a', '1', '{a}x', '3').toString());
    expect(bySlot[slot('b')]).toBe(resp('MSET', 'b', '2').toString());
    expect((route(0, 'DEL', 'a', 'b') as Extract<Route, { kind: 'keys' }>).parts).toHaveLength(2);
  });

  it('stops at what a cluster cannot apply: cross-slot commands and scripts, SWAPDB, MOVE, keyless commands, unknown commands', () => {
    expect(route(0, 'RENAME', 'a', 'b')).toMatchObject({ kind: 'stop', reason: expect.stringMatching(/2 different slots/) });
    expect(route(0, 'EVAL', 'x', '2', 'a', 'b')).toMatchObject({ kind: 'stop', reason: expect.stringMatching(/script whose keys/) });
    expect(route(0, 'EVAL', 'x', '2', '{a}1', '{a}2')).toMatchObject({ kind: 'keys', parts: [{ slot: slot('a') }] });
    expect(route(0, 'EVAL', 'x', '0')).toMatchObject({ kind: 'stop', reason: expect.stringMatching(/declares no keys/) });
    expect(route(0, 'SWAPDB', '0', '1')).toMatchObject({ kind: 'stop' });
    expect(route(3, 'SWAPDB', '3', '4')).toEqual({ kind: 'skip', why: 'other-db' });
    expect(route(0, 'MOVE', 'k', '2')).toMatchObject({ kind: 'stop' });
    expect(route(0, 'COPY', 'a', '{a}b', 'DB', '3')).toMatchObject({ kind: 'stop' });
    expect(route(0, 'FROBNICATE', 'k')).toMatchObject({ kind: 'stop', reason: expect.stringMatching(/does not know FROBNICATE/) });
    expect(route(0, 'SORT', 'k', 'BY', 'x')).toEqual({ kind: 'getkeys' });
  });

  it('follows SELECT: only the synced database reaches the cluster; link traffic and PUBLISH are not applied', () => {
    expect(route(0, 'SELECT', '2')).toEqual({ kind: 'select', db: 2 });
    expect(route(2, 'SET', 'k', 'v')).toEqual({ kind: 'skip', why: 'other-db' });
    expect(route(2, 'FLUSHDB')).toEqual({ kind: 'skip', why: 'other-db' });
    expect(route(0, 'FLUSHDB')).toEqual({ kind: 'flush' });
    expect(route(2, 'FLUSHALL')).toEqual({ kind: 'flush' });
    expect(route(0, 'PING')).toEqual({ kind: 'skip', why: 'link' });
    expect(route(0, 'REPLCONF', 'GETACK', '*')).toEqual({ kind: 'getack' });
    expect(route(0, 'PUBLISH', 'ch', 'm')).toEqual({ kind: 'skip', why: 'publish' });
    expect(route(0, 'MULTI')).toEqual({ kind: 'multi' });
    expect(route(0, 'SCRIPT', 'LOAD', 'return 1')).toMatchObject({ kind: 'broadcast' });
  });

  it('with --match, applies only matching keys (splitting what can be split)', () => {
    const only = (k: Buffer) => k.toString().startsWith('u:');
    expect(routeCommand(cmd('SET', 'x', '1'), TABLE, 0, 0, only)).toEqual({ kind: 'skip', why: 'unmatched' });
    expect(routeCommand(cmd('DEL', 'x', 'u:1'), TABLE, 0, 0, only)).toMatchObject({ kind: 'keys', parts: [{ slot: slot('u:1') }] });
    expect(routeCommand(cmd('LMOVE', 'x', 'u:1', 'LEFT', 'LEFT'), TABLE, 0, 0, only)).toMatchObject({ kind: 'stop' });
  });
});
