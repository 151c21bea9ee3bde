/**
 * One server per data directory: `DATA/xen-wbem.lock` holds the owner's pid and the kernel's
 * start time of that process, created atomically (a link that fails when the name exists).
 * Taken before anything reads or repairs the directory (reconcile), so a second server fails at
 * once with the owner's pid instead of repairing a store that is in use. A lock whose process is
 * gone (killed with -9, a crash, a reboot) is taken over; the start time and the boot id tell a
 * live owner from an unrelated process that got the same pid later. The lock also names the owner's host: one
 * taken on another machine (a data directory on NFS) is never taken over, since whether its
 * process lives cannot be seen from here.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

export const LOCK_FILE = 'xen-wbem.lock';

export interface DataLock {
  readonly file: string;
  release(): void;
}

/**
 * `host` is absent in a lock written before hosts were recorded: taken as this host's; `boot`
 * (the kernel's boot id) in one written before boots were.
 */
interface Owner { pid: number; start: string; since: string; host?: string; boot?: string }

/** This boot's id (Linux), or '' where it cannot be read. */
function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

/** The kernel's start time of a process (Linux /proc), or '' where that cannot be read. */
function startTimeOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) may hold spaces and parentheses, so count from its end.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function alive(owner: Owner): boolean {
  // A process of an earlier boot is gone, whoever has its pid now; and a lock naming this very
  // process was not taken by it (a service started at the same point of an earlier boot gets
  // the same pid and start time): both are left by a server that did not stop cleanly.
  if (owner.boot !== undefined && owner.boot !== '' && owner.boot !== bootId()) return false;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;   // EPERM: alive, someone else's
  }
  const start = startTimeOf(owner.pid);
  return start === '' || owner.start === '' || start === owner.start;
}

function readOwner(file: string): Owner | null {
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as Partial<Owner>;
    if (typeof o.pid !== 'number') return null;
    return {
      pid: o.pid, start: String(o.start ?? ''), since: String(o.since ?? ''),
      ...(typeof o.host === 'string' ? { host: o.host } : {}), ...(typeof o.boot === 'string' ? { boot: o.boot } : {}),
    };
  } catch {
    return null;     // unreadable or half-written by a killed process: nobody owns it
  }
}

/** Takes the lock or throws a message naming the live owner. */
export function acquireDataLock(dataDir: string): DataLock {
  const file = path.join(dataDir, LOCK_FILE);
  const me: Owner = { pid: process.pid, start: startTimeOf(process.pid), since: new Date().toISOString(), host: hostname(), boot: bootId() };
  const mine = JSON.stringify(me) + '\n';
  const tmp = path.join(dataDir, `.${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}`);
  writeFileSync(tmp, mine, { mode: 0o644 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(tmp, file);
        const release = (): void => {
          process.removeListener('exit', release);
          // Only our own lock: never remove one a successor took over.
          const now = readOwner(file);
          if (now?.pid === process.pid && (now.host ?? me.host) === me.host) { try { unlinkSync(file); } catch { /* gone already */ } }
        };
        // Whatever path the process leaves by (short of a kill), the lock goes with it.
        process.once('exit', release);
        return { file, release };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const owner = readOwner(file);
      if (owner?.host !== undefined && owner.host !== me.host) {
        throw new Error(`data directory ${dataDir} is in use by a xen-wbem server on host ${owner.host} (pid ${owner.pid}, since ${owner.since}); `
          + `whether it still runs cannot be seen from ${me.host}: stop it, or remove ${file} if it is gone`);
      }
      if (owner && alive(owner)) {
        throw new Error(`data directory ${dataDir} is in use by another xen-wbem server (pid ${owner.pid}, since ${owner.since}); `
          + 'stop it, or give this one another --data directory');
      }
      // Stale: move it aside under a name of our own, and remove it only if it is still the
      // stale one we judged (another starter may have replaced it in between).
      const aside = `${file}.stale.${process.pid}`;
      try { renameSync(file, aside); } catch { continue; }
      const moved = readOwner(aside);
      if (moved && owner && moved.pid === owner.pid && moved.start === owner.start) unlinkSync(aside);
      else if (moved && alive(moved)) { try { linkSync(aside, file); } catch { /* it took the name again */ } unlinkSync(aside); }
      else unlinkSync(aside);
    }
    throw new Error(`could not take the lock ${file}: it keeps changing (another server starting?)`);
  } finally {
    try { unlinkSync(tmp); } catch { /* */ }
  }
}
