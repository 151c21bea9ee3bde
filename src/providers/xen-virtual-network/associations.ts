/**
 * The network's associations, so a client walks the topology both ways with Associators and
 * References:
 * - Xen_VirtualNetworkComponent (CIM_SystemComponent): network → each member virtual system
 *   (Xen_ComputerSystem), each of its switches (Xen_VirtualEthernetSwitch, DSP1097, once that
 *   class is in the schema) and each link (Xen_VirtualLink).
 * - Xen_HostedDependency: the Xen host → each network (the host scopes it, as its systems).
 * - Xen_HostedService: the host → the network management service.
 * - Xen_ServiceAffectsElement: the service → each network, ElementEffects 5 "Manages".
 * - Xen_ElementCapabilities: the service → its capabilities.
 * - Xen_AffectedJobElement (DSP1103): the network → each job of a whole-network change it is
 *   subject to, while the job is kept.
 */
import type { CimInstanceName, CimValue } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import type { VirtualNetwork } from '../../virt/index.js';
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import { computerSystemName, hostName, jobName } from '../shared/naming.js';
import type { ClassSource } from '../shared/provider.js';
import { allNetworks } from './model.js';
import { networkJobs } from './request-state-change.js';
import {
  COMPONENT_CLASS, SWITCH_CLASS, linkName, networkCapabilitiesName, networkName, networkServiceName, switchName,
} from './names.js';

const HOSTED_DEPENDENCY = 'Xen_HostedDependency';
const HOSTED_SERVICE = 'Xen_HostedService';
const SERVICE_AFFECTS = 'Xen_ServiceAffectsElement';
const ELEMENT_CAPABILITIES = 'Xen_ElementCapabilities';
const AFFECTED_JOB = 'Xen_AffectedJobElement';

/**
 * The parts of one network; its switches only while the schema has their class (a reference must
 * name a class) and, given `onHost`, only those the host has (a switch removed behind the
 * network's back has no instance a name could lead to).
 */
export function networkParts(ctx: Pick<ProviderContext, 'repository' | 'namespace'>, net: VirtualNetwork, onHost?: ReadonlySet<string>): CimInstanceName[] {
  const switches = ctx.repository.getClass(ctx.namespace, SWITCH_CLASS)
    ? net.switches.filter((s) => !onHost || onHost.has(s)).map(switchName)
    : [];
  return [
    ...net.members.map((m) => computerSystemName(m.system)),
    ...switches,
    ...net.links.map((l) => linkName(net.name, l.name)),
  ];
}

function perNetwork(deps: ProviderDeps, className: string, values: (ctx: ProviderContext, net: VirtualNetwork) => Record<string, CimValue>[]): ClassSource {
  return {
    list: async (ctx) => (await allNetworks(deps)).flatMap((n) => values(ctx, n).map((v) => build(ctx, className, v))),
  };
}

export function networkAssociationClasses(deps: ProviderDeps): Record<string, ClassSource> {
  const host = hostName(deps.hostName);
  const service = networkServiceName(deps.hostName);
  return {
    [COMPONENT_CLASS]: {
      list: async (ctx) => {
        const onHost = new Set((await deps.virt.switches()).map((x) => x.name));
        return (await allNetworks(deps)).flatMap((n) => networkParts(ctx, n, onHost)
          .map((part) => build(ctx, COMPONENT_CLASS, { GroupComponent: networkName(n.name), PartComponent: part })));
      },
    },
    [HOSTED_DEPENDENCY]: perNetwork(deps, HOSTED_DEPENDENCY, (_ctx, n) => [{ Antecedent: host, Dependent: networkName(n.name) }]),
    [SERVICE_AFFECTS]: perNetwork(deps, SERVICE_AFFECTS, (_ctx, n) => [{ AffectedElement: networkName(n.name), AffectingElement: service, ElementEffects: [5] }]),
    [HOSTED_SERVICE]: { list: async (ctx) => [build(ctx, HOSTED_SERVICE, { Antecedent: host, Dependent: service })] },
    [AFFECTED_JOB]: {
      async list(ctx) {
        const started = networkJobs(deps);
        const jobs = deps.jobs.list().filter((j) => started.has(j.id));
        if (jobs.length === 0) return [];
        const networks = new Set((await allNetworks(deps)).map((n) => n.name));
        // 2 Exclusive Use: the job holds the network's lock while it acts on the members.
        return jobs.filter((j) => networks.has(started.get(j.id)!)).map((j) => build(ctx, AFFECTED_JOB, {
          AffectedElement: networkName(started.get(j.id)!), AffectingElement: jobName(j.id), ElementEffects: [2],
        }));
      },
    },
    [ELEMENT_CAPABILITIES]: { list: async (ctx) => [build(ctx, ELEMENT_CAPABILITIES, { ManagedElement: service, Capabilities: networkCapabilitiesName() })] },
  };
}
