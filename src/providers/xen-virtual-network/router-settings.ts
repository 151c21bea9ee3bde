/**
 * New routers given to DefineNetwork as embedded settings: each an embedded VSSD with RASDs, the
 * formats of DSP1042 DefineSystem, read by the same converters (DSP1057's VSSD, DSP1041's RASDs,
 * DSP1043's default allocation for what is not given). A RASD says which router it belongs to by
 * its InstanceID `<router>/<anything>` (the shape of a defined RASD's InstanceID); with one new
 * router it may leave InstanceID out.
 */
import type { CimInstance } from '../../cim/index.js';
import type { DiskSpec, NicSpec, SystemPatch, VirtualSystemSpec } from '../../virt/index.js';
import { type RasdKind, classifyRasd, parseDiskRasd, parseMemRasd, parseNetRasd, parseProcRasd } from '../dsp1041-resource-allocation/index.js';
import { defaultAllocation } from '../dsp1043-allocation-capabilities/index.js';
import { parseSystemSettings } from '../dsp1057-virtual-system/index.js';
import type { ProviderDeps } from '../shared/deps.js';
import { badParam } from '../shared/errors.js';
import { readString } from '../shared/params.js';

interface Draft {
  spec: VirtualSystemSpec;
  patch: SystemPatch;
  seen: Set<RasdKind>;
  disks: DiskSpec[];
  nics: NicSpec[];
}

/** The specs of the new routers, in the order of RouterSettings; nothing is defined here. */
export async function routerSpecs(deps: ProviderDeps, settings: CimInstance[], rasds: CimInstance[]): Promise<VirtualSystemSpec[]> {
  const drafts = new Map<string, Draft>();
  settings.forEach((vssd, i) => {
    const where = `RouterSettings[${i}] (${vssd.className})`;
    const input = parseSystemSettings(vssd);
    if (!input.name) throw badParam(`${where} needs VirtualSystemIdentifier (or ElementName): the name of the new router`);
    if (drafts.has(input.name)) throw badParam(`${where}: router '${input.name}' is given twice`);
    const boot = { ...input.boot };
    const spec: VirtualSystemSpec = {
      name: input.name, type: input.type ?? (boot.kernel || boot.bootloader ? 'pv' : 'hvm'), memoryMiB: 0, vcpus: 0, boot,
    };
    if (input.uuid) spec.uuid = input.uuid;
    if (input.autostart !== undefined) spec.autostart = input.autostart;
    if (input.onPoweroff) spec.onPoweroff = input.onPoweroff;
    if (input.onCrash) spec.onCrash = input.onCrash;
    if (input.priority !== undefined) spec.priority = input.priority;
    drafts.set(input.name, { spec, patch: {}, seen: new Set(), disks: [], nics: [] });
  });
  const only = drafts.size === 1 ? [...drafts.values()][0] : undefined;
  rasds.forEach((r, i) => {
    const where = `RouterResourceSettings[${i}] (${r.className})`;
    const id = readString(r, 'InstanceID', where);
    const owner = id?.includes('/') ? id.slice(0, id.indexOf('/')) : undefined;
    const draft = owner !== undefined ? drafts.get(owner) : only;
    if (!draft) {
      throw badParam(owner !== undefined
        ? `${where}: InstanceID "${id}" names router '${owner}', which is not among RouterSettings`
        : `${where} needs an InstanceID "<router>/<device>" saying which new router it belongs to`);
    }
    const { kind, cdrom } = classifyRasd(r, where);
    if ((kind === 'processor' || kind === 'memory') && draft.seen.has(kind)) throw badParam(`${where}: more than one ${kind} setting for '${draft.spec.name}'`);
    draft.seen.add(kind);
    if (kind === 'processor') draft.patch = { ...draft.patch, ...parseProcRasd(r, where) };
    else if (kind === 'memory') draft.patch = { ...draft.patch, ...parseMemRasd(r, where) };
    else if (kind === 'disk') draft.disks.push(parseDiskRasd(r, where, cdrom));
    else draft.nics.push(parseNetRasd(r, where));
  });
  const defaults = drafts.size > 0 ? await defaultAllocation(deps.virt) : undefined;
  return [...drafts.values()].map((d) => {
    const spec = Object.assign(d.spec, d.patch, { disks: d.disks, nics: d.nics });
    // Only what nobody gave is defaulted: an explicit 0 reaches the model's checks and is refused there.
    if (d.patch.memoryMiB === undefined) spec.memoryMiB = defaults!.memoryMiB;
    if (d.patch.vcpus === undefined) spec.vcpus = defaults!.vcpus;
    return spec;
  });
}
