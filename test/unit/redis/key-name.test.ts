import { describe, expect, it } from 'vitest';
import { keyText, quoteKey } from '../../../src/redis/key-name.js';

describe('keyText', () => {
  it('gives UTF-8 names as they are, string or bytes', () => {
    expect(keyText('sp:5')).toBe('sp:5');
    expect(keyText(Buffer.from('clé:☃'))).toBe('clé:☃');
  });

  it('shows bytes that are not UTF-8 as \\xNN, as redis-cli does, and doubles a backslash', () => {
    expect(keyText(Buffer.from([0x62, 0xff, 0xfe, 0x00, 0x31]))).toBe('b\\xff\\xfe\\x001');
    expect(keyText(Buffer.from([0xff, 0x5c, 0x0a]))).toBe('\\xff\\\\\\x0a');
  });
});

describe('quoteKey', () => {
  it('keeps a key on one line, quoted', () => {
    expect(quoteKey('sp:5')).toBe('"sp:5"');
    expect(quoteKey(Buffer.from('a\nb"c'))).toBe('"a\\nb\\"c"');
    expect(quoteKey(Buffer.from([0x7b, 0xff, 0x7d]))).toBe('"{\\\\xff}"');
  });
});
