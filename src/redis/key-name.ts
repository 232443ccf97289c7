import { isUtf8 } from 'node:buffer';

/**
 * A key name as Redis holds it: any bytes. A UTF-8 name can travel as a string (cheaper, and exact
 * both ways); one that is not must stay a Buffer, since decoding it into a string and encoding it
 * back gives another key, in another slot (see ClusterAdmin.getKeysInSlot).
 */
export type KeyName = string | Buffer;

/**
 * A key name for a one-line message or an event: the name itself when it is UTF-8 text, else each
 * byte outside printable ASCII as `\xNN`, as redis-cli shows them (a backslash doubles).
 */
export function keyText(key: KeyName): string {
  if (typeof key === 'string') return key;
  if (isUtf8(key)) return key.toString('utf8');
  let text = '';
  for (const b of key) text += b === 0x5c ? '\\\\' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return text;
}

/**
 * A key name quoted and escaped (JSON) for a one-line message, so a key holding a newline or a
 * quote cannot break the line or fake its end.
 */
export function quoteKey(key: KeyName): string {
  return JSON.stringify(keyText(key));
}
