/** What every provider of root/virt and root/interop is given (wired in app.ts). */
import type { Repository } from '../../repository/index.js';
import type { JobManager, VirtManager } from '../../virt/index.js';

export interface ProfileRegistration {
  instanceId: string;
  registeredOrganization: number;
  registeredName: string;
  registeredVersion: string;
  advertiseTypes: number[];
  dsp: string;
  kind: 'autonomous' | 'component';
  scopingProfile?: string;
  centralClass?: string;
  scopingClass?: string;
  namespace: string;
  referencedProfiles?: string[];
  mandates?: string[];
}

export interface ProviderDeps {
  virt: VirtManager;
  jobs: JobManager;
  repository: Repository;
  /** Host name used in Xen_HostSystem.Name and service keys (never a physical identifier). */
  hostName: string;
  /** The registered profiles, from profiles/*.json. */
  profiles: ProfileRegistration[];
  /** Server product name and version for CIM_ObjectManager. */
  product: { name: string; version: string };
  log: (line: string) => void;
}
