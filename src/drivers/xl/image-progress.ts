/**
 * How far xl has come writing or reading a memory image, with no help from xl.
 *
 * Written (`xl save`, `xl save -c`): the image's size against the memory it will hold (watchBytes).
 *
 * Read (`xl restore`): Linux shows each open descriptor of a process as a link in /proc/<pid>/fd
 * and its file position in /proc/<pid>/fdinfo/<fd> (`pos:`). `xl restore` reads its image
 * sequentially through one descriptor, which libxl's save helper (its child, given the
 * descriptor) shares: one open file description, one position. So position / size is the
 * fraction of the image read. The process's children are looked at too (a wrapper in front of
 * xl). Anything unreadable (no /proc, another user's process, the process gone) is simply no
 * news: progress never fails an operation.
 */
import { readFile, readdir, readlink, realpath, stat } from 'node:fs/promises';

/** Bytes read so far of `file` (an absolute, resolved path) by `pid` or a descendant, if found. */
export async function readPosition(pid: number, file: string, hint?: { pid: number; fd: string }): Promise<{ pos: number; pid: number; fd: string } | undefined> {
  if (hint) {
    const pos = await positionOf(hint.pid, hint.fd, file);
    if (pos !== undefined) return { pos, ...hint };
  }
  const queue = [pid];
  for (let seen = 0; queue.length > 0 && seen < 16; seen++) {
    const p = queue.shift()!;
    for (const fd of await readdir(`/proc/${p}/fd`).catch(() => [] as string[])) {
      const pos = await positionOf(p, fd, file);
      if (pos !== undefined) return { pos, pid: p, fd };
    }
    queue.push(...await childrenOf(p));
  }
  return undefined;
}

async function positionOf(pid: number, fd: string, file: string): Promise<number | undefined> {
  const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
  if (target !== file) return undefined;
  const info = await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => '');
  const m = /^pos:\s*(\d+)/m.exec(info);
  return m ? Number(m[1]) : undefined;
}

async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    const text = await readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '');
    for (const w of text.split(/\s+/)) if (/^\d+$/.test(w)) out.push(Number(w));
  }
  return out;
}

/**
 * Reports `progress(position / size)` while a process reads `file`, every `intervalMs`, until the
 * returned stop() is called: never backwards, below 1 (the caller reports 1 once the process has
 * ended well). `pidOf` gives the process once it runs.
 */
export function followRead(pidOf: () => number | undefined, file: string, size: number, progress: (fraction: number) => void, intervalMs = 100): () => void {
  let best = 0;
  let hint: { pid: number; fd: string } | undefined;
  let busy = false;
  let stopped = false;
  const resolved = realpath(file).catch(() => file);
  const tick = async (): Promise<void> => {
    const pid = pidOf();
    if (busy || pid === undefined || size <= 0) return;
    busy = true;
    try {
      const got = await readPosition(pid, await resolved, hint);
      if (!got || stopped) return;
      hint = { pid: got.pid, fd: got.fd };
      const f = Math.min(0.99, got.pos / size);
      if (f > best) {
        best = f;
        progress(f);
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/**
 * Runs `work` (an xl call that reads `file`, given the onSpawn hook to pass to the runner) and
 * reports the fraction read meanwhile; 1 once it has ended well. Without `progress`, just runs it.
 */
export async function whileReading<T>(file: string, progress: ((fraction: number) => void) | undefined, work: (onSpawn?: (pid: number) => void) => Promise<T>): Promise<T> {
  if (!progress) return work();
  const size = await stat(file).then((s) => s.size, () => 0);
  let pid: number | undefined;
  const stop = followRead(() => pid, file, size, progress);
  try {
    const r = await work((p) => { pid = p; });
    stop();
    progress(1);
    return r;
  } finally {
    stop();
  }
}

/**
 * Run `work` (which writes `file`) and report its size against `expected` meanwhile: never
 * backwards, below 1 until the write has ended well, then 1.
 */
export async function watchBytes<T>(file: string, expected: number, progress: (f: number) => void, work: () => Promise<T>): Promise<T> {
  let best = 0;
  let ended = false;
  const timer = setInterval(() => {
    void stat(file).then((s) => {
      const f = Math.min(0.99, s.size / Math.max(1, expected));
      if (ended || f <= best) return;
      best = f;
      progress(f);
    }, () => {});
  }, 100);
  try {
    const r = await work();
    ended = true;
    progress(1);
    return r;
  } finally {
    ended = true;
    clearInterval(timer);
  }
}
