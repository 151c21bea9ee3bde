/**
 * Resource changes over one or several systems, all-or-nothing (VirtManager.changeResources):
 * under the locks of every system concerned (in name order), the devices of the whole request are
 * checked against the current definitions first (unknown or duplicate devices, bad values);
 * then growth of an active system's reservation is admitted (so what the host cannot guarantee is
 * refused as such, with the figures); then every patch is checked (values, a saved system's fixed
 * memory, and for a system without a domain, guarantees this host could ever give, as DefineSystem
 * checks them); all of it before anything changes. Then the steps run — patches first (what the
 * hypervisor is likeliest to refuse), then devices in the order given — each with its undo
 * (steps.ts).
 */
import { admissionRequest, advertisedShortfall } from './capacity.js';
import { macClaim } from './claims.js';
import { RESOURCE_FIELDS, type Effect, type ResourceChange, type ResourceChangeOutcome, type ResourceChangeResult, type ResourcePatch } from './changes.js';
import type { OperationOptions } from './driver.js';
import { VirtError } from './errors.js';
import type { Reservation } from './ledger.js';
import { KeyedLock } from './lock.js';
import type { Model } from './model.js';
import { checkSwitchesExist } from './switches.js';
import { applyPatch, checkMacsFree, normalizeDisk, normalizeNic } from './spec.js';
import { TRANSITIONAL_STATES, isActive } from './states.js';
import { runSteps, type Step } from './steps.js';
import type { DiskSpec, NicSpec, SystemPatch, VirtualSystem, VirtualSystemConfig } from './types.js';

type Nic = NicSpec & { mac: string };

interface SystemPlan {
  before: VirtualSystem;
  disks: DiskSpec[];
  nics: Nic[];
  patch: ResourcePatch;
}

interface Plan {
  systems: Map<string, SystemPlan>;
  deviceSteps: Step[];
  /** Per input change: its device (filled in when a step learns it, e.g. a generated MAC). */
  devices: (string | undefined)[];
}

export interface ResourceChangeOptions extends OperationOptions {
  /** After this long (ms) the change holds its systems' locks as a job's (a client follows it as one). */
  longAfterMs?: number;
  /**
   * Called once every step is made (a job's JobContext.commit): a cancel after it undoes nothing,
   * so the job completes rather than end terminated with its change in place.
   */
  commit?: () => void;
}

function bad(msg: string): never {
  throw new VirtError('invalid_argument', msg);
}

/**
 * With a signal (a job's), aborting it kills the hypervisor call of the step under way; the
 * steps already done are undone (without the signal) and the change fails.
 */
export async function changeResources(m: Model, changes: readonly ResourceChange[], opts: ResourceChangeOptions = {}): Promise<ResourceChangeResult> {
  const o: OperationOptions = opts.signal ? { signal: opts.signal } : {};
  if (!Array.isArray(changes) || changes.length === 0) bad('no resource change given');
  for (const c of changes) if (!c || typeof c.system !== 'string') bad('every resource change names its system');
  const names = changes.map((c) => c.system);
  const asked = performance.now();
  // The job's signal: cancelled while it waits for the locks, it leaves the queue and changes nothing.
  const release = await m.locks.acquireAll(names, { what: 'a change of resources', ...o });
  // Past `longAfterMs` the change holds its systems as a job (lock.ts rule 3): a state change
  // asked then is refused busy at once instead of waiting up to the lock timeout behind it, while
  // quick changes of one system still take their turns. The wait for the locks counts: the call
  // has answered 4096 by then.
  const long = opts.longAfterMs === undefined ? undefined
    : setTimeout(() => release.asJob('a long change of resources'), Math.max(0, opts.longAfterMs - (performance.now() - asked)));
  try {
    return await changeUnderLock(m, changes, names, o, opts.commit);
  } finally {
    clearTimeout(long);
    release();
  }
}

async function changeUnderLock(m: Model, changes: readonly ResourceChange[], names: string[], o: OperationOptions, commit?: () => void): Promise<ResourceChangeResult> {
  const before = new Map<string, VirtualSystem>();
  for (const n of KeyedLock.order(names)) before.set(n, await m.driver.get(n));
  const plan = planChanges(m, before, changes, o);
  // A NIC added, or moved to another switch, goes to a switch the host has.
  const moved = changes.flatMap((c) => {
    if (c.action === 'add_nic' && c.nic) return [c.nic.bridge];
    if (c.action === 'replace_nic' && c.nic?.bridge !== undefined) {
      const old = before.get(c.system)?.config.nics.find((n) => n.mac === c.mac);
      return old && old.bridge === c.nic.bridge ? [] : [c.nic.bridge];
    }
    return [];
  });
  // Those switches are not removed while the change puts interfaces on them (switches.ts).
  const unuse = m.switchUse.use(moved);
  try {
    if (moved.length > 0) checkSwitchesExist(await m.driver.switches(), moved);
  } catch (err) {
    unuse();
    throw err;
  }
  const macs = changes.flatMap((c) => (c.action === 'add_nic' && c.nic?.mac ? [{ system: c.system, mac: String(c.nic.mac).toLowerCase() }] : []));
  // Claimed before the definitions are read (claims.ts), held until the interfaces show in them.
  let unclaim: () => void;
  try {
    unclaim = m.claims.claim(macs.map((x) => macClaim(x.system, x.mac)));
  } catch (err) {
    unuse();
    throw err;
  }
  const reservations: Reservation[] = [];
  try {
    if (macs.length > 0) checkMacsFree(await m.driver.list(), macs);
    // Admission first: what the host cannot guarantee is "insufficient resources", with the figures.
    for (const [name, sp] of plan.systems) {
      const after = grownConfig(sp);
      if (after) reservations.push(await m.admission.admit(name, after, 'growth'));
    }
    const patchSteps: Step[] = [];
    for (const [name, sp] of plan.systems) {
      const step = patchStep(m, name, sp, o);
      if (step) patchSteps.push(step);
    }
    // A system without a domain whose guarantees grow past what this host could ever give is
    // refused as DefineSystem refuses such a definition, rather than at each start.
    for (const [name, sp] of plan.systems) {
      const after = raisedDefinition(sp);
      const short = after && advertisedShortfall(await m.admission.capacity(), name, after);
      if (short) throw new VirtError('no_memory', short);
    }
    await runSteps('changing resources', [...patchSteps, ...plan.deviceSteps], m.log, o.signal);
    commit?.();
    if (reservations.length) m.driver.invalidate();
    for (const r of reservations) await r.settle().catch(() => r.release());
  } finally {
    for (const r of reservations) r.release();
    unclaim();
    unuse();
  }
  const after = new Map<string, VirtualSystem>();
  for (const n of before.keys()) after.set(n, await m.driver.get(n));
  return { outcomes: changes.map((c, i) => outcomeOf(c, plan.devices[i], after.get(c.system)!)), systems: after };
}

/** Checks every change against the definitions as they will be when it runs, and builds the device steps. */
function planChanges(m: Model, before: Map<string, VirtualSystem>, changes: readonly ResourceChange[], o: OperationOptions): Plan {
  const plan: Plan = { systems: new Map(), deviceSteps: [], devices: [] };
  for (const [name, sys] of before) {
    plan.systems.set(name, { before: sys, disks: [...sys.config.disks], nics: [...sys.config.nics], patch: {} });
  }
  const d = m.driver;
  changes.forEach((c, i) => {
    const sp = plan.systems.get(c.system)!;
    const name = c.system;
    const findDisk = (vdev: string): DiskSpec => sp.disks.find((x) => x.vdev === vdev) ?? notFound(`'${name}' has no disk ${vdev}`);
    const findNic = (mac: string): Nic => sp.nics.find((x) => x.mac === String(mac).toLowerCase()) ?? notFound(`'${name}' has no interface ${mac}`);
    const add = (what: string, run: () => Promise<void>, undo: () => Promise<void>): void => {
      plan.deviceSteps.push({ what, run, undo });
    };
    switch (c.action) {
      case 'add_disk': {
        const disk = normalizeDisk(c.disk);
        if (sp.disks.some((x) => x.vdev === disk.vdev)) throw new VirtError('conflict', `'${name}' already has a disk ${disk.vdev}`);
        sp.disks.push(disk);
        plan.devices[i] = disk.vdev;
        add(`adding disk ${disk.vdev} to '${name}'`, async () => void (await d.attachDisk(name, disk, o)), () => d.detachDisk(name, disk.vdev));
        return;
      }
      case 'remove_disk': {
        const old = findDisk(c.vdev);
        sp.disks = sp.disks.filter((x) => x !== old);
        plan.devices[i] = old.vdev;
        add(`removing disk ${old.vdev} from '${name}'`, () => d.detachDisk(name, old.vdev, o), async () => void (await d.attachDisk(name, old)));
        return;
      }
      case 'replace_disk': {
        const old = findDisk(c.vdev);
        const asked = normalizeDisk({ ...c.disk, vdev: old.vdev });
        const next = c.base ? normalizeDisk(rebase(normalizeDisk({ ...c.base, vdev: old.vdev }), asked, normalizeDisk(old))) : asked;
        plan.devices[i] = old.vdev;
        sp.disks = sp.disks.map((x) => (x === old ? next : x));
        if (sameJson(next, normalizeDisk(old))) return;
        if (d.replaceDisk) {
          add(`replacing disk ${old.vdev} of '${name}'`, async () => void (await d.replaceDisk!(name, old.vdev, next, o)), async () => void (await d.replaceDisk!(name, old.vdev, old)));
          return;
        }
        add(`unplugging disk ${old.vdev} of '${name}' to replace it`, () => d.detachDisk(name, old.vdev, o), async () => void (await d.attachDisk(name, old)));
        add(`plugging the new disk ${old.vdev} into '${name}'`, async () => void (await d.attachDisk(name, next, o)), () => d.detachDisk(name, old.vdev));
        return;
      }
      case 'add_nic': {
        const nic = normalizeNic(c.nic);
        if (nic.mac !== undefined && sp.nics.some((x) => x.mac === nic.mac)) throw new VirtError('conflict', `'${name}' already has an interface ${nic.mac}`);
        if (nic.mac !== undefined) {
          sp.nics.push(nic as Nic);
          plan.devices[i] = nic.mac;
        }
        add(`adding an interface on ${nic.bridge} to '${name}'`, async () => {
          plan.devices[i] = (await d.attachInterface(name, nic, o)).mac;
        }, async () => {
          if (plan.devices[i]) await d.detachInterface(name, plan.devices[i]!);
        });
        return;
      }
      case 'remove_nic': {
        const old = findNic(c.mac);
        sp.nics = sp.nics.filter((x) => x !== old);
        plan.devices[i] = old.mac;
        add(`removing interface ${old.mac} from '${name}'`, () => d.detachInterface(name, old.mac, o), async () => void (await d.attachInterface(name, old)));
        return;
      }
      case 'replace_nic': {
        const old = findNic(c.mac);
        const asked = normalizeNic({ ...c.nic, mac: old.mac });
        const next = (c.base ? normalizeNic(rebase(normalizeNic({ ...c.base, mac: old.mac }), asked, normalizeNic(old))) : asked) as Nic;
        plan.devices[i] = old.mac;
        sp.nics = sp.nics.map((x) => (x === old ? next : x));
        const plugSame = next.bridge === old.bridge && next.model === old.model && next.ip === old.ip;
        if (plugSame && sameJson(next.rate ?? null, old.rate ?? null)) return;
        if (plugSame) {
          add(`setting the rate of ${old.mac} of '${name}'`, () => d.setInterfaceRate(name, old.mac, next.rate ?? null), () => d.setInterfaceRate(name, old.mac, old.rate ?? null));
          return;
        }
        if (d.replaceInterface) {
          add(`plugging ${old.mac} of '${name}' into ${next.bridge}`, async () => void (await d.replaceInterface!(name, old.mac, next, o)), async () => void (await d.replaceInterface!(name, old.mac, old)));
          return;
        }
        add(`unplugging ${old.mac} of '${name}' to re-plug it`, () => d.detachInterface(name, old.mac, o), async () => void (await d.attachInterface(name, old)));
        add(`plugging ${old.mac} of '${name}' into ${next.bridge}`, async () => void (await d.attachInterface(name, next, o)), () => d.detachInterface(name, old.mac));
        return;
      }
      case 'set_nic_rate': {
        const old = findNic(c.mac);
        const next = normalizeNic({ ...old, ...(c.rate ? { rate: c.rate } : {}) }) as Nic;
        if (!c.rate) delete next.rate;
        plan.devices[i] = old.mac;
        sp.nics = sp.nics.map((x) => (x === old ? next : x));
        add(`setting the rate of ${old.mac} of '${name}'`, () => d.setInterfaceRate(name, old.mac, c.rate ?? null), () => d.setInterfaceRate(name, old.mac, old.rate ?? null));
        return;
      }
      case 'patch': {
        if (!c.patch || typeof c.patch !== 'object') bad(`a patch of '${name}' needs its fields`);
        for (const [k, v] of Object.entries(c.patch)) {
          if (!RESOURCE_FIELDS.includes(k as keyof ResourcePatch)) bad(`'${k}' is not a resource setting`);
          if (v !== undefined && !sentBack(c, k)) Object.assign(sp.patch, { [k]: v });
        }
        return;
      }
      default:
        bad(`unknown resource change '${String((c as { action?: unknown }).action)}'`);
    }
  });
  return plan;
}

/** A field of a patch the caller sent back as it read it (its `base`): not a change. */
function sentBack(c: Extract<ResourceChange, { action: 'patch' }>, k: string): boolean {
  return c.base !== undefined && c.base[k as keyof ResourcePatch] === c.patch[k as keyof ResourcePatch];
}

/** The fields of a system's merged patch that differ from its definition. */
function changedFields(sp: SystemPlan): ResourcePatch {
  const changed: ResourcePatch = {};
  for (const k of RESOURCE_FIELDS) if (sp.patch[k] !== undefined && sp.patch[k] !== sp.before.config[k]) changed[k] = sp.patch[k];
  return changed;
}

/** The configuration an active system asks admission for when its patch grows what it reserves. */
function grownConfig(sp: SystemPlan): VirtualSystemConfig | undefined {
  if (!isActive(sp.before.state)) return undefined;
  const base = sp.before.config;
  const after: VirtualSystemConfig = { ...base, ...changedFields(sp) };
  const a = admissionRequest(after);
  const b = admissionRequest(base);
  return a.memoryMiB > b.memoryMiB || a.cpuPercent > b.cpuPercent ? after : undefined;
}

/** The configuration of a system without a domain when its patch raises the memory or CPU it guarantees. */
function raisedDefinition(sp: SystemPlan): VirtualSystemConfig | undefined {
  if (isActive(sp.before.state)) return undefined;
  const base = sp.before.config;
  const after: VirtualSystemConfig = { ...base, ...changedFields(sp) };
  const memory = (c: VirtualSystemConfig): number => Math.max(c.memoryReservationMiB, c.memoryMiB);
  return memory(after) > memory(base) || after.cpuReservationPercent > base.cpuReservationPercent ? after : undefined;
}

/** The one modify of a system's merged patch (checked now), with its undo. */
function patchStep(m: Model, name: string, sp: SystemPlan, o: OperationOptions): Step | undefined {
  const sys = sp.before;
  const base = sys.config;
  const changed: SystemPatch = changedFields(sp);
  if (Object.keys(changed).length === 0) return undefined;
  if (TRANSITIONAL_STATES.includes(sys.state)) throw new VirtError('busy', `'${name}' is ${sys.state.replace('_', ' ')}`);
  if (changed.vcpus !== undefined && changed.vcpus > base.maxVcpus) {
    // The definition's maximum is the most a domain may bring online: a system without one takes
    // the new count as its maximum too ("always on the definition for the next start"); a domain
    // keeps the maximum it was created with.
    if (sys.state !== 'defined') bad(`vcpus (${changed.vcpus}) exceeds maxVcpus (${base.maxVcpus}), which is fixed while '${name}' is ${sys.state}: stop it to give it more`);
    changed.maxVcpus = changed.vcpus;
  }
  const after = applyPatch(base, changed);
  const fixed = (['memoryMiB', 'maxMemoryMiB', 'vcpus'] as const).some((k) => after[k] !== base[k]);
  if (sys.state === 'suspended' && fixed) {
    throw new VirtError('invalid_state', `'${name}' is suspended; its saved image fixes memory and vCPUs until it is restored`);
  }
  const previous: SystemPatch = {};
  for (const k of RESOURCE_FIELDS) if (after[k] !== base[k]) previous[k] = base[k];
  if (after.maxVcpus !== base.maxVcpus) previous.maxVcpus = base.maxVcpus;
  return {
    what: `changing ${Object.keys(changed).join(', ')} of '${name}'`,
    run: async () => void (await m.driver.modify(name, changed, o)),
    undo: async () => void (await m.driver.modify(name, previous)),
  };
}

/** Whether a field's change is on the running system now: its live figure equals the definition. */
function fieldEffect(sys: VirtualSystem, field: keyof ResourcePatch): Effect {
  const live = sys.live;
  if (!live) return 'next_start';
  const c = sys.config;
  switch (field) {
    case 'memoryMiB':
      return live.targetMemoryMiB === c.memoryMiB ? 'live' : 'next_start';
    case 'maxMemoryMiB':
      return live.maxMemoryMiB === c.maxMemoryMiB ? 'live' : 'next_start';
    case 'cpuWeight':
      return live.cpuWeight === c.cpuWeight ? 'live' : 'next_start';
    case 'cpuCap':
      return live.cpuCap === c.cpuCap ? 'live' : 'next_start';
    default:
      // vCPUs within the maximum and reservations (a model figure) apply at once to a running system.
      return 'live';
  }
}

function outcomeOf(change: ResourceChange, device: string | undefined, sys: VirtualSystem): ResourceChangeOutcome {
  if (change.action === 'patch') {
    const fields: Partial<Record<keyof ResourcePatch, Effect>> = {};
    // The effect of what changed; of everything given when it was all sent back as read.
    const given = Object.entries(change.patch).filter(([, v]) => v !== undefined).map(([k]) => k);
    const changed = given.filter((k) => !sentBack(change, k));
    for (const k of changed.length > 0 ? changed : given) fields[k as keyof ResourcePatch] = fieldEffect(sys, k as keyof ResourcePatch);
    const effect: Effect = Object.values(fields).every((e) => e === 'live') && sys.live ? 'live' : 'next_start';
    return { change, effect, fields };
  }
  const out: ResourceChangeOutcome = { change, effect: sys.live ? 'live' : 'next_start' };
  if (device !== undefined) out.device = device;
  return out;
}

/**
 * A device change made on what a caller read (`base` → `asked`), applied to the device as it is
 * now: the fields the caller changed take its value (a field it dropped is dropped), every other
 * field stays as it is now. Two clients that each read a device and change one field of it, at
 * once, both get their change (the second no longer writes back the first one's old value).
 */
function rebase<T extends object>(base: T, asked: T, now: T): T {
  const out = { ...now } as Record<string, unknown>;
  const b = base as unknown as Record<string, unknown>;
  const a = asked as unknown as Record<string, unknown>;
  for (const k of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (sameJson(a[k] ?? null, b[k] ?? null)) continue;
    if (a[k] === undefined) delete out[k];
    else out[k] = a[k];
  }
  return out as T;
}

function notFound(msg: string): never {
  throw new VirtError('not_found', msg);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
