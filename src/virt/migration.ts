/**
 * Moving a virtual system to another host (hypervisor-neutral). The other host is a
 * MigrationPeer: its own server, reached however the wiring decides (CIM between xen-wbem
 * servers). The definition moves with the system:
 *
 * 1. checks, nothing changed anywhere: the system exists here and is running or paused, and has
 *    no snapshots here (they cannot move with it); the driver can migrate; the destination says why it could not take it (incomingReasons() there:
 *    name or UUID already present, guest type, switches, capacity net of overhead);
 * 2. under the system's lock, before any job: the destination is handed the stored definition
 *    (it checks again and refuses with its reasons, or keeps it and adopts the system with it
 *    when it arrives, not from its bare live configuration); then a job holds the lock;
 * 3. the driver moves the system (on success the definition leaves this host's store, and the
 *    system its virtual network here); progress is the transfer's;
 * 4. on any failure the destination forgets the definition and the system still runs here with
 *    its definition: never on both hosts, never on neither. A server killed half-way settles it at
 *    start-up (the driver's migration record says which host kept the system).
 */
import type { Capacity } from './capacity.js';
import { admissionRequest, admissionShortfall } from './capacity.js';
import type { IncomingDefinition } from './driver.js';
import { VirtError } from './errors.js';
import { isUndecided } from './migration-undecided.js';
import type { Job } from './jobs.js';
import type { Model } from './model.js';
import { TARGET_STATES, type TargetState } from './states.js';
import { macOwner, normalizeSpec } from './spec.js';
import type { HostFacts, VirtualSwitch, VirtualSystem, VirtualSystemConfig } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/i;

/** A definition that came over the network: every rule of a definition, plus its UUID, MACs and requested state. */
export function checkPortable(def: PortableDefinition): PortableDefinition {
  const c = def?.config;
  if (!c || typeof c !== 'object') throw new VirtError('invalid_argument', 'a system definition is required');
  // It came over the network: the lists are checked for what they are before anything walks them.
  for (const list of ['nics', 'disks'] as const) {
    if (c[list] !== undefined && !Array.isArray(c[list])) throw new VirtError('invalid_argument', `${list} must be a list`);
  }
  const n = normalizeSpec(c);
  if (typeof c.uuid !== 'string' || !UUID.test(c.uuid)) throw new VirtError('invalid_argument', `'${String(c.uuid)}' is not a UUID`);
  const nics = n.nics.map((nic, i) => {
    const mac = c.nics[i]?.mac;
    if (typeof mac !== 'string' || !MAC.test(mac)) throw new VirtError('invalid_argument', `interface ${i + 1} of '${n.name}' has no valid MAC address`);
    return { ...nic, mac };
  });
  const requested = def.requested;
  if (requested !== undefined && !TARGET_STATES.includes(requested)) {
    throw new VirtError('invalid_argument', `${JSON.stringify(requested)} is not a requested state (${TARGET_STATES.join(', ')})`);
  }
  return { config: { ...n, uuid: c.uuid, nics }, ...(requested ? { requested } : {}) };
}

/** What the source hands over: the stored definition and the last requested state. */
export interface PortableDefinition {
  config: VirtualSystemConfig;
  requested?: TargetState;
}

/** Another host that can take systems (its own server). */
export interface MigrationPeer {
  /** The destination host as clients name it. */
  readonly name: string;
  /** Where this host's hypervisor tools reach it (a host name or address). */
  readonly address: string;
  /** Its server's host (`host[:port]`, as in a WBEM URI), when known: paths to its instances carry it. */
  readonly endpoint?: string;
  /** Why the destination could not take this system now (empty: it could). Changes nothing. */
  check(def: PortableDefinition): Promise<string[]>;
  /** Keep the definition for the system about to arrive (refused with the reasons when it cannot take it). */
  prepare(def: PortableDefinition, ttlMs: number): Promise<void>;
  /** The move failed or was given up: forget the definition handed over. */
  abandon(uuid: string): Promise<void>;
  /** The system has arrived: the destination lists it from now on (false: it does not see it yet). */
  arrived?(uuid: string): Promise<boolean>;
}

export interface MigrationOptions {
  /** Live (runs during the copy, default) or suspended at the source for the whole copy. */
  live?: boolean;
}

/** How long a destination keeps a definition for a system that has not arrived (the transfer's deadline, and some). */
export const INCOMING_TTL_MS = 6 * 60_000;

const MOVABLE = new Set(['running', 'paused']);

/**
 * What this host keeps of a system that cannot go with it (the manager knows): its snapshots
 * (their images and records stay here, where no client would reach them once the system is gone,
 * and its disks' own snapshots are then in use on the other host).
 */
export interface KeptHere {
  snapshots?: number;
}

/** What the source's manager adds to a migration. */
export interface SourceHooks {
  /** What this host keeps of the system: a move is refused while it keeps anything. */
  kept?(system: VirtualSystem): KeptHere;
  /**
   * The system has left this host (run inside the job, before it ends): what names it here
   * follows (its virtual network). A failure is logged; the move is done all the same.
   */
  moved?(name: string): Promise<void>;
}

/** Why this system cannot leave this host (empty: it could). */
export function outgoingReasons(m: Model, system: VirtualSystem | undefined, name: string, kept: KeptHere = {}): string[] {
  if (!system) return [`no virtual system '${name}' on this host`];
  const out: string[] = [];
  if (!m.driver.migrate) out.push(`the ${m.driver.kind} driver cannot migrate systems`);
  if (!MOVABLE.has(system.state)) out.push(`'${name}' is ${system.state.replace('_', ' ')}: only a running or paused system can be migrated`);
  const pending = m.driver.migrationPending?.(system.uuid);
  if (pending) out.push(pending);
  const n = kept.snapshots ?? 0;
  if (n > 0) out.push(`'${name}' has ${n} snapshot${n === 1 ? '' : 's'} on this host, which cannot move with it: destroy ${n === 1 ? 'it' : 'them'} first`);
  return out;
}

/** Why this host could not take the system described (empty: it could): the destination's checks. */
export function incomingReasons(
  def: PortableDefinition, here: { systems: readonly VirtualSystem[]; host: HostFacts; switches: VirtualSwitch[]; capacity: Capacity; label?: string },
): string[] {
  const c = def.config;
  const host = here.label ?? here.host.hostname;
  const out: string[] = [];
  const byName = here.systems.find((s) => s.name === c.name);
  if (byName) out.push(`a virtual system named '${c.name}' already exists on ${host}`);
  const byUuid = here.systems.find((s) => s.uuid.toLowerCase() === c.uuid.toLowerCase());
  if (byUuid && byUuid !== byName) out.push(`virtual system '${byUuid.name}' on ${host} has the same UUID ${c.uuid}`);
  if (here.host.guestTypes && !here.host.guestTypes.includes(c.type)) {
    out.push(`${host} cannot run ${c.type.toUpperCase()} guests (it runs ${here.host.guestTypes.map((t) => t.toUpperCase()).join(', ') || 'none'})`);
  }
  // Two guests with one MAC on a host break each other's network (DefineSystem refuses it too).
  for (const nic of c.nics) {
    const user = nic.mac === undefined ? undefined : macOwner(here.systems, nic.mac, c.name);
    if (user) out.push(`virtual system '${user.name}' on ${host} has an interface with the MAC ${nic.mac} of '${c.name}'`);
  }
  const switches = new Set(here.switches.map((s) => s.name));
  const missing = [...new Set(c.nics.map((n) => n.bridge))].filter((b) => !switches.has(b));
  if (missing.length > 0) out.push(`${host} has no virtual switch ${missing.map((b) => `'${b}'`).join(', ')} (used by '${c.name}')`);
  const short = admissionShortfall(here.capacity, admissionRequest(c));
  if (short) out.push(`${host} lacks the memory or CPU for '${c.name}': ${short}`);
  return out;
}

export function portable(system: VirtualSystem): PortableDefinition {
  return { config: system.config, ...(system.requested ? { requested: system.requested } : {}) };
}

/** Every reason the move cannot happen (this host's, then the destination's); nothing changes. A system that does not exist is not_found. */
export async function migrationReasons(m: Model, name: string, peer: MigrationPeer, hooks: SourceHooks = {}): Promise<string[]> {
  const system = await m.driver.get(name);
  return [...outgoingReasons(m, system, name, hooks.kept?.(system)), ...(await peer.check(portable(system)))];
}

function refusal(name: string, peer: MigrationPeer, reasons: string[]): VirtError {
  return new VirtError('invalid_state', `'${name}' cannot be migrated to ${peer.name}: ${reasons.join('; ')}`);
}

/**
 * Start moving a system: refused (with every reason) before anything changes; then a job holding
 * the system's lock. The job's result is the system's name on the destination.
 */
export async function migrateSystem(
  m: Model, name: string, peer: MigrationPeer, opts: MigrationOptions = {}, hooks: SourceHooks = {},
): Promise<Job<string>> {
  const release = await m.locks.acquire(name, { mode: 'job', what: `a migration to ${peer.name}` });
  let started = false;
  try {
    const system = await m.driver.get(name);
    // Under the system's lock: no snapshot can be taken meanwhile.
    const here = outgoingReasons(m, system, name, hooks.kept?.(system));
    if (here.length > 0) throw refusal(name, peer, here);
    // The destination checks again as it takes the definition: one round trip, refused with its reasons.
    try {
      await peer.prepare(portable(system), INCOMING_TTL_MS);
    } catch (err) {
      // Refused, or kept there with its answer lost (a timeout, a reset): told to forget it either
      // way, or it would hold the name there until it expires.
      void peer.abandon(system.uuid).catch(() => {});
      const e = err as Error;
      throw new VirtError('invalid_state', `'${name}' cannot be migrated to ${peer.name}: ${e.message}`);
    }
    let ran = false;
    const job = m.jobs.start(`migrate ${name} to ${peer.name}`, name, async (ctx) => {
      ran = true;
      ctx.progress(3);
      try {
        await m.driver.migrate!(name, {
          destination: peer.address, live: opts.live ?? true, signal: ctx.signal,
          onProgress: (p) => ctx.progress(3 + (p * 96) / 100),
        });
      } catch (err) {
        const forget = (): Promise<void> => peer.abandon(system.uuid).catch((e: unknown) => {
          m.log(`migration of '${name}' to ${peer.name} failed, and the destination could not be told to forget its definition: ${(e as Error).message}`);
        });
        if (!isUndecided(err)) {
          await forget();
          throw err;
        }
        await settleAtDestination(m, name, peer, system.uuid, err as Error, forget);
      }
      // The system has moved: a cancel now could stop nothing, and the job must say it completed.
      ctx.commit();
      await hooks.moved?.(name).catch((e: unknown) => {
        m.log(`'${name}' moved to ${peer.name}; what named it here could not all follow: ${(e as Error).message}`);
      });
      // The job ends once the destination lists the system, so that no reader finds it on neither
      // host; the move itself is done, so a destination that cannot say so only gets a log line.
      const seen = await peer.arrived?.(system.uuid).catch((e: unknown) => {
        m.log(`'${name}' moved to ${peer.name}, which could not confirm it: ${(e as Error).message}`);
        return true;
      });
      if (seen === false) m.log(`'${name}' moved to ${peer.name}, which does not list it yet`);
      return name;
    }, undefined, 'migration');
    started = true;
    // A job cancelled before its body ran: the destination forgets the definition too.
    const end = (): void => {
      release();
      if (!ran) void peer.abandon(system.uuid).catch(() => {});
    };
    job.done.then(end, end);
    return job;
  } finally {
    if (!started) release();
  }
}

/**
 * A migration that failed undecided (its final handshake broke): the destination is asked
 * whether it runs the system. Yes: it has moved (returns; the copy left here goes). No: it runs
 * nowhere; the destination forgets the definition and the job fails, the copy here left as xl
 * left it. No answer: both hosts keep what they have and the job fails saying so: starting or
 * destroying a copy without knowing could leave two routers with the same addresses, or none.
 */
async function settleAtDestination(m: Model, name: string, peer: MigrationPeer, uuid: string, err: Error, forget: () => Promise<void>): Promise<void> {
  let there: boolean | undefined;
  let why = 'it cannot be asked';
  try {
    if (peer.arrived && m.driver.migrationMoved) there = await peer.arrived(uuid);
  } catch (e) {
    why = (e as Error).message;
  }
  if (there === undefined) {
    const e = new VirtError('failed', `${err.message}; whether ${peer.name} runs it could not be learned (${why}): check both hosts before resuming one copy`, undefined, { cause: err });
    m.log(`'${name}': ${e.message}`);
    throw e;
  }
  if (!there) {
    await forget();
    const e = new VirtError('failed', `${err.message}; ${peer.name} does not run it: the copy here is the only one`, undefined, { cause: err });
    m.log(`'${name}': ${e.message}`);
    throw e;
  }
  m.log(`'${name}': ${err.message}; ${peer.name} runs it: the migration is complete, the copy left here goes`);
  await m.driver.migrationMoved!(name);
}

/** Destination side: keep the definition for the arriving system, or refuse with the reasons. */
export async function expectIncoming(
  m: Model, def: PortableDefinition, ttlMs: number, reasons: (def: PortableDefinition) => Promise<string[]>,
): Promise<void> {
  if (!m.driver.expectIncoming) throw new VirtError('invalid_state', `the ${m.driver.kind} driver cannot receive migrated systems`);
  def = checkPortable(def);
  const why = await reasons(def);
  if (why.length > 0) throw new VirtError('invalid_state', `'${def.config.name}' cannot be received: ${why.join('; ')}`);
  const incoming: IncomingDefinition = { config: def.config, expiresAt: Date.now() + ttlMs, ...(def.requested ? { requested: def.requested } : {}) };
  await m.driver.expectIncoming(incoming);
}
