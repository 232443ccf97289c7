import { describe, expect, it } from 'vitest';
import { encodeCommand } from '../../../src/redis/pipe-connection.js';

describe('encodeCommand', () => {
  it('writes RESP arrays with byte lengths, not character lengths', () => {
    expect(encodeCommand(['GET', 'ké'])).toBe('*2\r\n$3\r\nGET\r\n$3\r\nké\r\n');
    expect(encodeCommand([])).toBe('*0\r\n');
  });
  it('keeps binary arguments intact', () => {
    const out = encodeCommand(['SET', Buffer.from([0xff, 0x00]), 'v']);
    expect(Buffer.isBuffer(out)).toBe(true);
    expect([...(out as Buffer)]).toEqual([...Buffer.from('*3\r\n$3\r\nSET\r\n$2\r\n'), 0xff, 0x00, ...Buffer.from('\r\n$1\r\nv\r\n')]);
  });
  it('sizes a mix of multi-byte text and binary arguments by bytes', () => {
    const out = encodeCommand(['MIGRATE', 'ké', Buffer.from([0x7b, 0xff, 0x7d]), Buffer.alloc(0)]) as Buffer;
    expect([...out]).toEqual([...Buffer.from('*4\r\n$7\r\nMIGRATE\r\n$3\r\nké\r\n$3\r\n'), 0x7b, 0xff, 0x7d, ...Buffer.from('\r\n$0\r\n\r\n')]);
  });
});
