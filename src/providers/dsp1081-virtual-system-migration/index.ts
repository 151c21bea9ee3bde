/**
 * DSP1081 Virtual System Migration: the host's Xen_VirtualSystemMigrationService (hosted by the
 * host, Xen_HostedService), its capabilities (Xen_ElementCapabilities), the default migration
 * settings, and the migration jobs (Xen_MigrationJob, a CIM_ConcreteJob served as DSP1103 serves
 * Xen_ConcreteJob, owned by the service). The methods: service.ts.
 */
import { jobClasses, jobMethods } from '../dsp1103-job-control/index.js';
import { build } from '../shared/build.js';
import { MIGRATION_JOB_CLASS, VIRT_NS, hostName } from '../shared/naming.js';
import { type ProfileProviders, profileProvider } from '../shared/provider.js';
import {
  CAPABILITIES, DEFAULT_MSD_ID, MSD, SERVICE, capabilitiesName, migrationServiceName,
} from './names.js';
import { migrationMethods } from './service.js';

/** CIM_VirtualSystemMigrationCapabilities method values (2 ToHost, 3 ToSystem, 4 CheckToHost, 5 CheckToSystem). */
const SYNCHRONOUS = [4, 5];
const ASYNCHRONOUS = [2, 3];
/** DestinationHostFormatsSupported: 2 DNS name, 3 IPv4 dotted decimal, 4 IPv6 text. */
const HOST_FORMATS = [2, 3, 4];

export const virtualSystemMigration: ProfileProviders = (deps) => {
  const service = migrationServiceName(deps.hostName);
  const capabilities = capabilitiesName();
  return [{
    namespace: VIRT_NS,
    provider: profileProvider({
      classes: {
        [SERVICE]: {
          list: async (ctx) => [build(ctx, SERVICE, {
            CreationClassName: SERVICE, Name: 'MigrationService', SystemCreationClassName: 'Xen_HostSystem', SystemName: deps.hostName,
            ElementName: 'Migration Service',
            Description: `Moves virtual systems to ${(deps.peers ?? []).map((p) => p.name).join(', ') || 'no other host (none configured)'}`,
            EnabledState: 2, RequestedState: 12, EnabledDefault: 2, OperationalStatus: [2], HealthState: 5,
            Started: true,
          })],
        },
        [CAPABILITIES]: {
          list: async (ctx) => [build(ctx, CAPABILITIES, {
            InstanceID: capabilities.keyString('InstanceID'), ElementName: 'Migration capabilities',
            SynchronousMethodsSupported: SYNCHRONOUS, AsynchronousMethodsSupported: ASYNCHRONOUS,
            DestinationHostFormatsSupported: HOST_FORMATS,
          })],
        },
        [MSD]: {
          // The settings a migration gets when the caller gives none: live, default priority, over SSH.
          list: async (ctx) => [build(ctx, MSD, {
            InstanceID: DEFAULT_MSD_ID, ElementName: 'Default migration settings', MigrationType: 2, Priority: 0, TransportType: 2,
          })],
        },
        Xen_HostedService: { list: async (ctx) => [build(ctx, 'Xen_HostedService', { Antecedent: hostName(deps.hostName), Dependent: service })] },
        Xen_ElementCapabilities: { list: async (ctx) => [build(ctx, 'Xen_ElementCapabilities', { ManagedElement: service, Capabilities: capabilities })] },
        ...jobClasses(deps, MIGRATION_JOB_CLASS, service),
      },
      methods: { [SERVICE]: migrationMethods(deps), [MIGRATION_JOB_CLASS]: jobMethods(deps) },
    }),
  }];
};
