import { crc64 } from './crc64.js';

/**
 * A DUMP/RESTORE payload (cluster.c createDumpPayload): the type byte, the value exactly as an RDB
 * file stores it, the RDB version as 2 bytes little-endian, and the CRC-64 of all that, 8 bytes
 * little-endian. The target checks the version against its own (a newer one is refused) and the CRC.
 */
export function buildDumpPayload(type: number, value: Uint8Array, version: number): Buffer {
  const out = Buffer.allocUnsafe(1 + value.length + 10);
  out[0] = type;
  out.set(value, 1);
  out.writeUInt16LE(version, 1 + value.length);
  crc64(out, 0, out.length - 8).copy(out, out.length - 8);
  return out;
}

/** The parts of a DUMP payload, or null when its footer or CRC is wrong (a corrupt reply). */
export function splitDumpPayload(payload: Buffer): { type: number; value: Buffer; version: number } | null {
  if (payload.length < 11) return null;
  if (!crc64(payload, 0, payload.length - 8).equals(payload.subarray(payload.length - 8))) return null;
  return { type: payload[0]!, value: payload.subarray(1, payload.length - 10), version: payload.readUInt16LE(payload.length - 10) };
}
