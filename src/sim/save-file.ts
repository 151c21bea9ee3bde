// Save-file format (docs/xl-toolstack.md §7, sample save-file-header.hex): the real xl header —
// 32-byte magic, u32 byte-order marker 0x01020304, u32 mandatory flags (JSON config |
// stream v2 = 0x3), u32 optional flags 0, u32 optional-data length, then u32 config length
// (incl. NUL) + the domain config JSON — followed, instead of the libxc memory stream, by a
// small simulator record.
import { orderConfig } from './config-order.js';
import { yajl } from './json-yajl.js';

export const MAGIC = Buffer.from('Xen saved domain, xl format\n \0 \r', 'latin1');
const SIM_MARK = 'LibxlFmt-xl-sim\n';
/** Magic, byte order, flags, optional-data length and the config length that follows them. */
export const HEADER_BYTES = 32 + 16 + 4;

export function encodeSaveFile(config: Record<string, unknown>, extra: Record<string, unknown>): { buf: Buffer; optLen: number } {
  const json = Buffer.from(yajl(orderConfig(config)) + '\n\0', 'utf8');
  const optLen = 4 + json.length;
  const head = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(0x01020304, 32);
  head.writeUInt32LE(0x3, 36);
  head.writeUInt32LE(0, 40);
  head.writeUInt32LE(optLen, 44);
  head.writeUInt32LE(json.length, 48);
  const tail = Buffer.from(SIM_MARK + JSON.stringify(extra) + '\n', 'utf8');
  return { buf: Buffer.concat([head, json, tail]), optLen };
}

export type Decoded =
  | { ok: true; config: Record<string, any>; mandatory: number; optional: number; optLen: number }
  | { ok: false; error: 'short' | 'magic' | 'byteorder' | 'noconfig' };

export function decodeSaveFile(buf: Buffer): Decoded {
  if (buf.length < 48) return { ok: false, error: 'short' };
  if (!buf.subarray(0, 32).equals(MAGIC)) return { ok: false, error: 'magic' };
  if (buf.readUInt32LE(32) !== 0x01020304) return { ok: false, error: 'byteorder' };
  const mandatory = buf.readUInt32LE(36);
  const optional = buf.readUInt32LE(40);
  const optLen = buf.readUInt32LE(44);
  if (!(mandatory & 1) || buf.length < 52) return { ok: false, error: 'noconfig' };
  const len = buf.readUInt32LE(48);
  const text = buf.subarray(52, 52 + len).toString('utf8').replace(/\0$/, '');
  try {
    return { ok: true, config: JSON.parse(text), mandatory, optional, optLen };
  } catch {
    return { ok: false, error: 'noconfig' };
  }
}
