/**
 * DSP1042 System Virtualization, host side: the host (Xen_HostSystem, the profile's central and
 * scoping instance) and its Xen_VirtualSystemManagementService. The host shows no physical
 * identifier (DESIGN §3.6): no serial number, CPU model, MAC or memory figure; its name is the
 * configured host name. The VSMS methods themselves belong to the virtual-system providers and
 * arrive here as an injected handler.
 *
 * createHostProviders assembles every host-side provider of root/virt (pools, capabilities,
 * associations, jobs) so the wiring registers one list.
 */
import { type CimInstanceName, type CimValue, type ClassNameRef, type NameMap, cimError } from '../../cim/index.js';
import type { InstanceProvider, MethodResult, ProviderContext } from '../../operations/provider.js';
import type { ProviderDeps } from '../shared/deps.js';
import { HOST_CLASS, VIRT_NS, VSMS_CLASS, VSMS_NAME } from '../shared/naming.js';
import { vsmsName } from '../shared/service-names.js';
import { build, listProvider } from '../shared/provider.js';
import { createPoolProvider } from '../dsp1041-resource-allocation/pools.js';
import { type CapabilitiesOptions, createCapabilitiesProvider } from '../dsp1043-allocation-capabilities/allocation-capabilities.js';
import { createHostAssociationProvider } from './associations.js';
import { type JobProviderOptions, createJobProvider } from '../dsp1103-job-control/jobs.js';

export type VsmsMethodHandler = (
  ctx: ProviderContext,
  target: CimInstanceName | ClassNameRef,
  method: string,
  params: NameMap<CimValue>,
) => Promise<MethodResult>;

export interface HostProviderOptions extends CapabilitiesOptions, JobProviderOptions {
  /** DefineSystem, DestroySystem, ... (the virtual-system providers' invokeVsmsMethod). */
  vsmsMethods?: VsmsMethodHandler;
}

export function createHostSystemProvider(deps: ProviderDeps, opts: HostProviderOptions = {}): InstanceProvider {
  return listProvider(
    {
      [HOST_CLASS]: async (ctx) => [build(ctx, VIRT_NS, HOST_CLASS, {
        CreationClassName: HOST_CLASS,
        Name: deps.hostName,
        ElementName: deps.hostName,
        Caption: 'Virtualization host',
        Description: 'Xen host running the virtual systems',
        EnabledState: 2,
        OperationalStatus: [2],
        HealthState: 5,
        // Not dedicated to one function (CIM_ComputerSystem.Dedicated 0); nothing physical is named.
        Dedicated: [0],
      })],
      [VSMS_CLASS]: async (ctx) => {
        const info = await deps.virt.hostInfo();
        return [build(ctx, VIRT_NS, VSMS_CLASS, {
          ...Object.fromEntries(vsmsName(deps).keybindings.map((k) => [k.name, k.value as CimValue])),
          ElementName: VSMS_NAME,
          Caption: 'Virtual system management service',
          EnabledState: 2,
          OperationalStatus: [2],
          HealthState: 5,
          Started: true,
          StartMode: 'Automatic',
          Release: deps.product.version,
          // The hypervisor toolstack in use (libvirt-cim's LibvirtVersion slot), e.g. "xen 4.17.7".
          LibvirtVersion: `${info.hypervisor} ${info.hypervisorVersion}`,
        })];
      },
    },
    {
      async invokeMethod(ctx, target, method, params) {
        if (!opts.vsmsMethods) throw cimError('METHOD_NOT_AVAILABLE', `${VSMS_CLASS}.${method} is not available`);
        return opts.vsmsMethods(ctx, target, method, params);
      },
      methodRole: () => 'admin',
    },
  );
}

/** Every host-side provider of root/virt (namespace VIRT_NS). */
export function createHostProviders(deps: ProviderDeps, opts: HostProviderOptions = {}): InstanceProvider[] {
  return [
    createHostSystemProvider(deps, opts),
    createPoolProvider(deps),
    createCapabilitiesProvider(deps, opts),
    createHostAssociationProvider(deps),
    createJobProvider(deps, opts),
  ];
}
