/**
 * Moving a system to another host with `xl migrate` (docs/xl-toolstack.md §7), and the receiving
 * side's part. Sender:
 * 1. the system must be running or paused; its definition is stored (adopted first if need be);
 * 2. an outgoing record is written (migration-records.ts) before xl runs, so that a server killed
 *    half-way knows at start-up that a domain gone from this host has moved, not vanished;
 * 3. non-live: `xl pause` first (the guest is down for the whole copy); a paused system travels
 *    with `-p` so it stays paused at the destination;
 * 4. `xl migrate [-s <ssh>] [-p] <domain> <host>` with the image deadline and the caller's cancel
 *    signal; libxc's progress lines on stderr become the caller's progress;
 * 5. success: the definition leaves this host's store; failure: xl resumed the domain here (we
 *    unpause what we paused), the definition stays. Either way the record goes. A server killed
 *    half-way: start-up settles the record (reconcile.ts) and resumes what we paused (resumePaused).
 *    A broken final handshake is neither: xl resumed nothing, and the domain may run at the
 *    destination; the failure is marked undecided and the caller asks the destination
 *    (virt/migration.ts), then calls migrationMoved when it runs there.
 * Receiver: `expectIncoming` keeps the sender's definition until the domain arrives
 * (observe.ts and reconcile.ts adopt it with that definition).
 */
import { VirtError } from '../../virt/errors.js';
import type { IncomingDefinition, MigrateOptions } from '../../virt/driver.js';
import { markUndecided } from '../../virt/migration-undecided.js';
import { writeCfg } from './cfg-writer.js';
import { change, ensureDef, liveName } from './change.js';
import type { XlCore } from './core.js';
import type { Current } from './view.js';
import { deadlineOf } from './deadlines.js';
import { migrationOfOurs } from './migration-pending.js';
import { checkPaths } from './paths.js';
import type { Snapshot } from './picture.js';
import { validInt, validName, validUuid } from './validate.js';

/** A destination as `ssh` takes it: a host name or an IPv4/IPv6 address, never an option. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^[0-9A-Fa-f:.]{2,45}$/;

export function validHost(host: unknown): string {
  if (typeof host !== 'string' || host.length > 253 || !HOST.test(host) || host.startsWith('-')) {
    throw new VirtError('invalid_argument', `'${String(host)}' is not a host name or address`);
  }
  return host;
}

/** xl's first line when the sender could not learn whether the destination started the domain (xl_migrate.c, failed_badly). */
const FINAL_HANDSHAKE_BROKE = '** Migration failed during final handshake **';

/** `xc: Frames iteration <i> of <n>: <done>/<total> <pct>%`: the pre-copy's progress. */
const PROGRESS = /xc: Frames iteration (\d+) of (\d+): (\d+)\/(\d+)\s+\d+%/g;

/**
 * Progress of the whole transfer from libxc's lines: the first iteration (every page) is most of
 * it; each further one sends what was dirtied meanwhile and closes half of the rest.
 */
function progressOf(text: string, report: (p: number) => void): void {
  for (const m of text.matchAll(PROGRESS)) {
    const it = Number(m[1]);
    const frac = Number(m[4]) > 0 ? Number(m[3]) / Number(m[4]) : 1;
    const p = it === 0 ? 90 * frac : 90 + 9 * (1 - 0.5 ** it) + (9 * 0.5 ** it) * 0.5 * frac;
    report(Math.min(99, p));
  }
}

export async function migrate(core: XlCore, name: string, opts: MigrateOptions): Promise<void> {
  const destination = validHost(opts.destination);
  return change(core, name, async (cur) => {
    if (cur.system.state !== 'running' && cur.system.state !== 'paused') {
      throw new VirtError('invalid_state', `'${name}' is ${cur.system.state}: only a running or paused system can be migrated`);
    }
    const domain = liveName(cur);
    const def = await ensureDef(core, cur);
    const uuid = validUuid(def.config.uuid);
    const done = migrationOfOurs(core, uuid);
    try {
      await migrateDomain(core, cur, domain, uuid, destination, opts);
    } finally {
      done();
    }
  });
}

async function migrateDomain(core: XlCore, cur: Current, domain: string, uuid: string, destination: string, opts: MigrateOptions): Promise<void> {
  const args = ['migrate', ...(core.migrationSsh !== undefined ? ['-s', core.migrationSsh] : [])];
  const wasPaused = cur.system.state === 'paused';
  // xl unpauses at the destination unless -p: a paused system stays paused there.
  if (wasPaused) args.push('-p');
  args.push(domain, destination);
  const startedAt = Date.now();
  const pauses = !opts.live && !wasPaused;
  await core.outgoing.put(uuid, {
    uuid, name: cur.name, destination, startedAt, expiresAt: startedAt + deadlineOf(args, core.deadlines) + 60_000, ...(pauses ? { pauses } : {}),
  });
  let pausedHere = false;
  try {
    await core.withInflight(cur.name, 'migrating', async () => {
      if (pauses) {
        await core.xl(['pause', domain], core.runOptions(opts));
        pausedHere = true;
      }
      const onProgress = opts.onProgress;
      await core.xl(args, { ...core.runOptions(opts), ...(onProgress ? { onStderr: (t: string) => progressOf(t, onProgress) } : {}) });
    });
  } catch (err) {
    if (VirtError.is(err) && err.detail?.includes(FINAL_HANDSHAKE_BROKE)) {
      // Nothing to resume: xl left its copy here suspended as <name>--migratedaway, and it may run
      // at the destination. The caller asks the destination (migrationMoved when it runs there).
      await core.outgoing.remove(uuid);
      throw markUndecided(new VirtError('failed',
        `the migration of '${cur.name}' to ${destination} broke in its final handshake, after ${destination} was given permission to start it: ` +
        `it may run there, or nowhere (xl left the copy here suspended as '${domain}--migratedaway')`, err.detail, { cause: err }));
    }
    // xl resumed the domain here; what we paused for the copy runs again.
    if (pausedHere) {
      await core.xl(['unpause', domain]).catch((e: unknown) => {
        core.log('warn', `'${cur.name}' stays paused: its migration failed, and unpausing it failed: ${(e as Error).message}`);
      });
    }
    await core.outgoing.remove(uuid);
    throw err;
  }
  // Moved: nothing here can undo that. A definition that cannot be removed now stays with its
  // record open, and the next pictures remove it (observe.ts: gone while a migration is open).
  try {
    await core.store.remove(cur.name);
  } catch (err) {
    core.log('warn', `'${cur.name}' moved to ${destination}; its definition here is removed later: ${(err as Error).message}`);
    return;
  }
  await core.outgoing.remove(uuid);
}

/**
 * A migration that broke in its final handshake, found running at the destination: the copy xl
 * left here (suspended, as <name>--migratedaway: never resumed by xl) is destroyed by its domid,
 * and the definition leaves this host, as after a migration that ended well.
 */
export function migrationMoved(core: XlCore, name: string): Promise<void> {
  return change(core, name, async (cur) => {
    const left = cur.view;
    if (left && left.row.domid !== 0 && left.row.name === `${cur.name}--migratedaway`) {
      await core.xl(['destroy', String(validInt(left.row.domid, 'domid', 1, 32751))]);
    }
    await core.store.remove(cur.name);
  });
}

/**
 * Start-up, after reconcile: a server killed during a non-live migration left the domain paused
 * for its copy. One still here (the copy failed, or never started) and still expected to run is
 * resumed: a system is never left paused by a migration. Unpausing a domain whose orphaned
 * `xl migrate` still copies only makes that copy live.
 */
export async function resumePaused(core: XlCore, snap: Snapshot): Promise<string[]> {
  const resumed: string[] = [];
  for (const [uuid, rec] of core.outgoing.all()) {
    const view = snap.byUuid.get(uuid);
    const def = core.store.findByUuid(uuid);
    if (!rec.pauses || !view || !view.row.flags.paused || def?.expected !== 'running' || view.row.name !== def.config.name) continue;
    try {
      await core.xl(['unpause', validName(view.row.name)]);
      resumed.push(view.row.name);
    } catch (err) {
      core.log('warn', `'${view.row.name}' stays paused: a migration cut short paused it, and unpausing it failed: ${(err as Error).message}`);
    }
  }
  if (resumed.length > 0) core.cache.invalidate();
  return resumed;
}

/** While a system is expected, the picture is refreshed this often, so it is listed soon after it arrives. */
const INCOMING_POLL_MS = 250;
const watching = new WeakMap<XlCore, NodeJS.Timeout>();

function watchIncoming(core: XlCore): void {
  if (watching.has(core)) return;
  const timer = setInterval(() => {
    const now = Date.now();
    if (!core.incoming.all().some(([, r]) => r.expiresAt > now)) {
      clearInterval(timer);
      watching.delete(core);
      return;
    }
    core.cache.poke();
  }, INCOMING_POLL_MS);
  timer.unref();
  watching.set(core, timer);
}

/** The driver closes: no more refreshes for arrivals. */
export function stopWatching(core: XlCore): void {
  const t = watching.get(core);
  if (t) clearInterval(t);
  watching.delete(core);
}

export async function expectIncoming(core: XlCore, def: IncomingDefinition): Promise<void> {
  validName(def.config.name);
  const uuid = validUuid(def.config.uuid);
  // The system is adopted with this definition, as if defined here: the same checks as a define
  // (every value that will reach xl, and the disk and boot paths against this host's directories).
  writeCfg(def.config);
  await checkPaths(core.paths, def.config.boot, def.config.disks);
  // Another system of that name on its way (from another host): one of the two could not be adopted.
  const clash = arrivingConflict(core, def.config.name, undefined, uuid.toLowerCase());
  if (clash) throw clash;
  await core.incoming.put(uuid, { config: def.config, ...(def.requested ? { requested: def.requested } : {}), expiresAt: def.expiresAt });
  watchIncoming(core);
}

/**
 * Why a name (and UUID) cannot be given to a system here now: a system of that name or UUID is on
 * its way by migration (its definition handed over, not expired). Defined meanwhile, it would
 * take the arriving system's name: the arrival would then not be adopted, and run unseen.
 */
export function arrivingConflict(core: XlCore, name: string, uuid?: string, except?: string): VirtError | undefined {
  const now = Date.now();
  for (const [id, r] of core.incoming.all()) {
    // Expired, or here already (a kill -9 between the adoption's two writes leaves the record behind).
    if (r.expiresAt <= now || core.store.findByUuid(r.config.uuid) || id === except) continue;
    if (r.config.name === name || (uuid !== undefined && id === uuid.toLowerCase())) {
      return new VirtError('conflict', `a virtual system named '${r.config.name}' (UUID ${id}) is arriving by migration`);
    }
  }
  return undefined;
}

export async function forgetIncoming(core: XlCore, uuid: string): Promise<void> {
  await core.incoming.remove(validUuid(uuid));
}
