/**
 * VSMS Add/Modify/RemoveResourceSettings (DSP1042 §8.2). The virt layer
 * changes the definition always, and the running domain where one exists and Xen allows it
 * (hot-plug, mem-set within the maximum the domain booted with, vcpu-set, sched-credit; a raised
 * memory maximum waits for the next start); a saved (suspended) system refuses memory/vCPU changes
 * (its image fixes them). Every call is ONE compound change of the model (VirtManager.changeResources:
 * all-or-nothing, under the locks of the systems concerned) and refusals are CimErrors that say why
 * (admission: "insufficient resources"). A RASD sent back unchanged changes nothing. The change
 * runs as a job: a hot-plug that outlasts the budget answers 4096 (shared/budget.ts).
 *
 * Which of the two happened is in the result (DSP1057's two configurations): ResultingResourceSettings
 * holds the defined RASD (`<sys>/<devid>`) of every setting, in input order, then the state RASD
 * (`<sys>/<devid>:current`) of every setting whose change took effect on the running domain — so a
 * setting with only its defined RASD changed for the next start only, and the state RASD shows the
 * live figure. Which is which comes from the model's outcome of each change (its effect).
 */
import { CimInstance, type CimInstanceName, type CimValue, type NameMap, cimError } from '../../cim/index.js';
import type { MethodResult } from '../../operations/provider.js';
import type { ResourceChange, ResourceChangeResult, VirtualSystem } from '../../virt/index.js';
import {
  type RasdKind, type SystemRasd, classifyRasd, refuseUnknownSwitch, findRasd, mergeDisk, mergeNic, parseDiskRasd, parseMemRasd, parseNetRasd, parseProcRasd,
} from '../dsp1041-resource-allocation/index.js';
import { connectionChange, refuseNewConnection } from '../dsp1050-ethernet-port-allocation/index.js';
import { findConfiguration } from '../dsp1057-virtual-system/index.js';
import { parseSnapshotRasdId, parseSnapshotVssdId } from '../dsp1042-virtual-system-snapshot/index.js';
import { answerWithin, syncBudgetOf } from '../shared/budget.js';
import type { ProviderDeps } from '../shared/deps.js';
import { badParam, toCimError } from '../shared/errors.js';
import { RASD_CLASS, VIRT_NS, VSSD_CLASS, isTemplateInstanceId, rasdName } from '../shared/naming.js';
import { designates, readInstances, readRef, readRefs, readString } from '../shared/params.js';

async function systemOfVssdRef(deps: ProviderDeps, ref: CimInstanceName | undefined, param: string): Promise<VirtualSystem> {
  if (!ref) throw badParam(`${param} (a reference to the system's Xen_VirtualSystemSettingData) is required`);
  if (!designates(deps.repository, ref, VSSD_CLASS)) throw badParam(`${param} ${ref.toString()} is not a reference to a ${VSSD_CLASS}`);
  if (parseSnapshotVssdId(ref.keyString('InstanceID'))) throw badParam(`${param} ${ref.toString()} is a snapshot, which keeps what the system had: its settings cannot change`);
  const found = await findConfiguration(deps, ref.keyString('InstanceID'));
  if (!found) throw cimError('NOT_FOUND', `${param} ${ref.toString()} does not name an existing virtual system configuration`);
  return found.sys;
}

/** A network setting whose switch must exist: the RASD (to name the property the client used) and the switch. */
interface NicRasd {
  r: CimInstance;
  where: string;
  bridge: string;
}

async function refuseUnknownSwitches(deps: ProviderDeps, nicRasds: readonly NicRasd[]): Promise<void> {
  if (nicRasds.length === 0) return;
  const switches = await deps.virt.switches();
  for (const x of nicRasds) refuseUnknownSwitch(x.r, x.where, x.bridge, switches);
}

/**
 * Refuses a second setting of one call that designates a resource already designated (by the same
 * InstanceID, by its defined and state RASDs, or by an interface's RASD and its Ethernet connection):
 * `designated` maps `<system>/<devid>` to the first InstanceID.
 */
function refuseTwice(designated: Map<string, string>, system: string, devid: string, where: string, id: string): void {
  const key = `${system}/${devid}`;
  const first = designated.get(key);
  if (first !== undefined) {
    throw badParam(`${where}: ${id} designates the same resource as ${first}${first === id ? '' : ' (its defined and state settings, and an interface\'s connection, are settings of one resource)'}: give each resource once`);
  }
  designated.set(key, id);
}

/**
 * A template's or a snapshot's InstanceID names a RASD that exists (GetInstance finds it) but is
 * no setting of a system: refused as such rather than as missing.
 */
function refuseTemplate(where: string, id: string): void {
  if (isTemplateInstanceId(id)) {
    throw badParam(`${where}: ${id} is an allocation template (DSP1043), what a pool can allocate, not a setting of a system: it cannot be modified or removed`);
  }
  if (parseSnapshotRasdId(id)) {
    throw badParam(`${where}: ${id} is a setting of a snapshot, which keeps what the system had: it cannot be modified or removed (ApplySnapshot brings it back)`);
  }
}

/** A RASD of ours as an instance a client would send back (only the parsers read it). */
function shownAs(rasd: SystemRasd): CimInstance {
  const shown = new CimInstance(RASD_CLASS[rasd.kind]);
  for (const [k, v] of Object.entries(rasd.values)) if (v !== undefined) shown.set(k, v);
  return shown;
}

/** One input setting: the change it asks of the model and the RASD it concerns (kind, device unless generated). */
interface Asked {
  change: ResourceChange;
  kind: RasdKind;
  devid?: string;
  /** The setting's own name when it is not a RASD of `kind`: an Ethernet connection (DSP1050). */
  setting?: CimInstanceName;
}

/**
 * The one compound change, as a job: answered here when it ends within the budget, else 4096 with
 * the job (the result's RASDs are then those of the systems, read once the job has completed).
 */
async function apply(deps: ProviderDeps, method: string, asked: Asked[], done: (r: ResourceChangeResult) => MethodResult): Promise<MethodResult> {
  const systems = [...new Set(asked.map((a) => a.change.system))];
  const job = deps.virt.jobs.start(`${method} of ${systems.join(', ')}`, systems.join(','), (ctx) => deps.virt.changeResources(asked.map((a) => a.change), { signal: ctx.signal, longAfterMs: syncBudgetOf(deps), commit: () => ctx.commit() }), systems, 'resource change');
  try {
    return await answerWithin(deps, job, done);
  } catch (e) {
    throw toCimError(e, method);
  }
}

/**
 * ResultingResourceSettings: every defined RASD, in input order, then the state RASD of each
 * setting whose change took effect on the running system (the model's outcome says 'live').
 */
function resultingSettings(asked: Asked[], result: ResourceChangeResult): CimInstanceName[] {
  const ids = asked.map((a, i) => ({ system: a.change.system, kind: a.kind, devid: a.devid ?? result.outcomes[i]!.device!, effect: result.outcomes[i]!.effect, setting: a.setting }));
  return [
    ...ids.map((t) => t.setting ?? rasdName(t.system, t.kind, t.devid)),
    ...ids.filter((t) => t.effect === 'live' && !t.setting).map((t) => rasdName(t.system, t.kind, t.devid, 'current')),
  ];
}

export async function addResourceSettings(deps: ProviderDeps, params: NameMap<CimValue>): Promise<MethodResult> {
  const sys = await systemOfVssdRef(deps, readRef(params, 'AffectedConfiguration'), 'AffectedConfiguration');
  const list = readInstances(params, 'ResourceSettings');
  if (list.length === 0) throw badParam('ResourceSettings is empty: nothing to add');
  const nicRasds: NicRasd[] = [];
  const asked = list.map((r, i): Asked => {
    const where = `ResourceSettings[${i}] (${r.className})`;
    refuseNewConnection(r, where);
    const { kind, cdrom } = classifyRasd(r, where);
    if (kind === 'processor' || kind === 'memory') {
      throw badParam(`${where}: a system has exactly one ${kind} setting: change it with ModifyResourceSettings`);
    }
    if (kind === 'disk') {
      const disk = parseDiskRasd(r, where, cdrom);
      return { change: { system: sys.name, action: 'add_disk', disk }, kind, devid: disk.vdev };
    }
    const nic = parseNetRasd(r, where);
    nicRasds.push({ r, where, bridge: nic.bridge });
    return { change: { system: sys.name, action: 'add_nic', nic }, kind };
  });
  await refuseUnknownSwitches(deps, nicRasds);
  return apply(deps, 'AddResourceSettings', asked, (result) => {
    deps.log(`AddResourceSettings: '${sys.name}' (${sys.state}) +${asked.length} device(s)${sys.live ? ', hot-plugged' : ''}`);
    return { returnValue: 0, out: { ResultingResourceSettings: resultingSettings(asked, result) } };
  });
}

export async function modifyResourceSettings(deps: ProviderDeps, params: NameMap<CimValue>): Promise<MethodResult> {
  const list = readInstances(params, 'ResourceSettings');
  if (list.length === 0) throw badParam('ResourceSettings is empty: nothing to modify');
  const asked: Asked[] = [];
  const nicRasds: NicRasd[] = [];
  const seen = new Set<string>();
  const designated = new Map<string, string>();
  for (const [i, r] of list.entries()) {
    const where = `ResourceSettings[${i}] (${r.className})`;
    const id = readString(r, 'InstanceID', where);
    if (!id) throw badParam(`${where}: InstanceID is required to say which setting to modify`);
    if (seen.has(id)) throw badParam(`${where}: ${id} is given twice`);
    seen.add(id);
    const connection = await connectionChange(deps, r, where, id);
    if (connection) {
      // The interface's connection and its RASD designate one interface, as a defined and a state RASD do.
      refuseTwice(designated, connection.change.system, connection.mac, where, id);
      asked.push({ change: connection.change, kind: 'network', devid: connection.mac, setting: connection.setting });
      continue;
    }
    refuseTemplate(where, id);
    const found = await findRasd(deps, id);
    if (!found) throw cimError('NOT_FOUND', `${where}: no resource setting has InstanceID "${id}"`);
    const { sys, rasd } = found;
    // The defined and the state RASD (`:current`) designate one resource: two changes of it would be applied in turn, the last one silently winning.
    refuseTwice(designated, sys.name, rasd.devid, where, id);
    const kind: RasdKind = classifyRasd(r, where, rasd.kind).kind;
    const system = sys.name;
    if (kind === 'processor' || kind === 'memory') {
      // Every field given, changed or sent back as read. `base`, what the designated RASD shows (a
      // state RASD the running figures), tells which: one sent back as read is not applied, so a
      // state RASD read, changed and sent back no longer writes the booted maximum over the definition's.
      const parse = kind === 'processor' ? parseProcRasd : parseMemRasd;
      const patch = parse(r, where);
      asked.push({ change: { system, action: 'patch', patch, base: parse(shownAs(rasd), `${rasd.values['InstanceID'] as string} as served`) }, kind, devid: rasd.devid });
    } else if (kind === 'disk') {
      // `base`: the model applies only what this RASD changes, onto the disk as it is when the change runs.
      const { vdev: _vdev, ...base } = sys.config.disks.find((d) => d.vdev === rasd.devid)!;
      const { vdev: _v, ...disk } = mergeDisk({ ...base, vdev: rasd.devid }, r, where);
      asked.push({ change: { system, action: 'replace_disk', vdev: rasd.devid, disk, base }, kind, devid: rasd.devid });
    } else {
      const old = sys.config.nics.find((n) => n.mac === rasd.devid)!;
      const { mac: _mac, ...nic } = mergeNic(old, r, where).next;
      const { mac: _m, ...base } = old;
      if (nic.bridge !== old.bridge) nicRasds.push({ r, where, bridge: nic.bridge });
      asked.push({ change: { system, action: 'replace_nic', mac: rasd.devid, nic, base }, kind, devid: rasd.devid });
    }
  }
  await refuseUnknownSwitches(deps, nicRasds);
  return apply(deps, 'ModifyResourceSettings', asked, (result) => {
    const deferred = asked.filter((a, i) => a.change.action === 'patch' && result.outcomes[i]!.effect === 'next_start');
    if (deferred.length > 0) {
      deps.log(`ModifyResourceSettings: for the next start only: ${deferred.map((a) => `${a.change.system}/${a.devid}`).join(', ')}`);
    }
    return { returnValue: 0, out: { ResultingResourceSettings: resultingSettings(asked, result) } };
  });
}

export async function removeResourceSettings(deps: ProviderDeps, params: NameMap<CimValue>): Promise<MethodResult> {
  const refs = readRefs(params, 'ResourceSettings');
  if (refs.length === 0) throw badParam('ResourceSettings is empty: nothing to remove');
  const asked: Asked[] = [];
  const designated = new Map<string, string>();
  for (const [i, ref] of refs.entries()) {
    const where = `ResourceSettings[${i}]`;
    // What the schema checks of a reference to this server (the parameter's class), for one naming a host too.
    if (!deps.repository.isSubclassOf(VIRT_NS, ref.className, 'CIM_ResourceAllocationSettingData')) {
      throw badParam(`${where}: ${ref.toString()} is not a reference to a CIM_ResourceAllocationSettingData`);
    }
    const id = ref.keyString('InstanceID');
    if (id !== undefined) refuseTemplate(where, id);
    const found = id === undefined ? undefined : await findRasd(deps, id);
    // Found by its InstanceID, it is the instance the reference names only if of the reference's class.
    if (!found || !designates(deps.repository, ref, RASD_CLASS[found.rasd.kind])) throw cimError('NOT_FOUND', `${where}: ${ref.toString()} does not exist`);
    const { sys, rasd } = found;
    refuseTwice(designated, sys.name, rasd.devid, where, id!);
    if (rasd.kind === 'processor' || rasd.kind === 'memory') {
      throw badParam(`${where}: the ${rasd.kind} setting of '${sys.name}' cannot be removed (change it with ModifyResourceSettings)`);
    }
    const change: ResourceChange = rasd.kind === 'disk'
      ? { system: sys.name, action: 'remove_disk', vdev: rasd.devid }
      : { system: sys.name, action: 'remove_nic', mac: rasd.devid };
    asked.push({ change, kind: rasd.kind, devid: rasd.devid });
  }
  return apply(deps, 'RemoveResourceSettings', asked, () => ({ returnValue: 0 }));
}
