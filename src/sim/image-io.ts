// How `xl save` writes a domain's memory image and `xl restore` reads it back in the simulator.
// A real save streams every page of the guest after the xl header and configuration (libxc's
// page records, batch after batch), so the image grows to about the guest's memory and its time is
// that size over the disk's throughput; restore reads the image back sequentially through one
// descriptor (xl's, shared with libxl's save helper), so that descriptor's file position is how
// far it has come.
//
// The simulator keeps the times and what an observer sees, not the bytes: while `xl save` writes,
// the file grows chunk by chunk to the guest's memory size (sparse: the size is reserved, no disk
// is used), and a dense record of RECORD bytes per page is written at the front; once complete,
// the image is cut to its records (1/256 of the memory), so `xl restore` reads few bytes. Restore
// reads the records sequentially through one descriptor, paced as if each stood for its page, so
// its file position over the image size moves as a real restore's does.
//
// Figures in host.json (absent: the defaults):
//   save_mib_per_sec     how fast `xl save` writes the memory (default 4096: 128 MiB in ~31 ms)
//   restore_mib_per_sec  how fast `xl restore` reads it back (default 4096)
import type { FileHandle } from 'node:fs/promises';
import type { HostConfig } from './host-state.js';
import { delay } from './io.js';

export const PAGE = 4096;
/** Bytes the simulator keeps per guest page (its frame number and a mark). */
export const RECORD = 16;
const DEFAULT_MIB_PER_SEC = 4096;
/** Paced steps last about this long (coarser is cheaper, finer shows progress more smoothly)... */
const STEP_MS = 25;
/** ...with at most this many per image. */
const MAX_CHUNKS = 64;
const MARK = Buffer.from('xl-sim\0\0', 'latin1');

/** Pages of a guest with `kib` KiB of memory: whole pages, at least one. */
export function pagesOf(kib: number): number {
  return Math.max(1, Math.ceil((kib * 1024) / PAGE));
}

/** Guest memory bytes per millisecond that a save or a restore moves on this host. */
export function rateOf(host: Partial<HostConfig>, op: 'save' | 'restore'): number {
  const mib = op === 'save' ? host.save_mib_per_sec : host.restore_mib_per_sec;
  return (Math.max(1, mib ?? DEFAULT_MIB_PER_SEC) * 1024 * 1024) / 1000;
}

/** Chunk ends in pages for `pages` pages moved at `rate`: steps of about STEP_MS, the last is `pages`. */
function chunkEnds(pages: number, rate: number): number[] {
  const n = Math.min(MAX_CHUNKS, pages, Math.max(1, Math.round((pages * PAGE) / rate / STEP_MS)));
  return Array.from({ length: n }, (_, i) => Math.round((pages * (i + 1)) / n));
}

/** Waits until `pages` pages would have been moved at `rate` since `t0` (paced on the clock: no drift). */
function pace(t0: number, pages: number, rate: number): Promise<void> {
  return delay(Math.max(0, t0 + (pages * PAGE) / rate - Date.now()));
}

/**
 * Writes the memory of a guest of `pages` pages after the header (which ends at `base`), paced at
 * `rate`: the file grows to the memory's size chunk by chunk, as a real save's does, then is cut to
 * the records. Returns the image's size.
 */
export async function writeMemory(fh: FileHandle, base: number, pages: number, rate: number): Promise<number> {
  const t0 = Date.now();
  let done = 0;
  for (const end of chunkEnds(pages, rate)) {
    const recs = Buffer.alloc((end - done) * RECORD);
    for (let pfn = done; pfn < end; pfn++) {
      const at = (pfn - done) * RECORD;
      recs.writeUInt32LE(pfn % 0x100000000, at);
      recs.writeUInt32LE(Math.floor(pfn / 0x100000000), at + 4);
      MARK.copy(recs, at + 8);
    }
    await fh.write(recs, 0, recs.length, base + done * RECORD);
    await fh.truncate(base + end * PAGE);
    done = end;
    await pace(t0, done, rate);
  }
  const size = base + pages * RECORD;
  await fh.truncate(size);
  return size;
}

/**
 * Whether the image ends as a complete one does: with a record (its mark at byte 8). A save killed
 * before it ended leaves the file grown to the guest's memory with zeros after its last records,
 * and an image cut short ends inside or between records: libxc's restore then reads the stream
 * to its end and fails, so `xl restore` must not make a domain of it.
 */
export async function endsWithRecord(fh: FileHandle, from: number, size: number): Promise<boolean> {
  if (size - from < RECORD) return false;
  const last = Buffer.alloc(RECORD);
  const { bytesRead } = await fh.read(last, 0, RECORD, size - RECORD); // positional: the position stays
  return bytesRead === RECORD && last.subarray(8).equals(MARK);
}

/**
 * Reads the records from the descriptor's position (`from`) to `size`, sequentially (the position
 * moves as it reads, as xl's does), paced at `rate` as if each record were its page. Returns the
 * pages read.
 */
export async function readMemory(fh: FileHandle, from: number, size: number, rate: number): Promise<number> {
  const pages = Math.floor(Math.max(0, size - from) / RECORD);
  const t0 = Date.now();
  let done = 0;
  for (const end of chunkEnds(pages, rate)) {
    const buf = Buffer.allocUnsafe((end - done) * RECORD);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, null);
      if (bytesRead === 0) return done + Math.floor(got / RECORD);
      got += bytesRead;
    }
    done = end;
    await pace(t0, done, rate);
  }
  return done;
}
