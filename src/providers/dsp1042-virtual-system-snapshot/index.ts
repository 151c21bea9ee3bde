/**
 * Virtual system snapshots: the host's Xen_VirtualSystemSnapshotService with its capabilities
 * (CIM_VirtualSystemSnapshotService), and every snapshot as a VSSD with its RASDs, tied to its
 * system, its parent snapshot, and the system to its most current snapshot. No DMTF profile
 * number is registered for these classes: the folder sits beside DSP1042, whose host hosts the
 * service, and profiles/XEN-VirtualSystemSnapshot.json registers it as our own component profile.
 */
import { VIRT_NS, VSSD_CLASS } from '../shared/naming.js';
import { type ProfileProviders, profileProvider } from '../shared/provider.js';
import { SERVICE_CLASS } from './naming.js';
import { snapshotServiceClasses, snapshotServiceMethods } from './service.js';
import { snapshotAssociationClasses, snapshotRasdClasses, snapshotVssdSource } from './snapshots.js';

export const virtualSystemSnapshot: ProfileProviders = (deps) => [{
  namespace: VIRT_NS,
  provider: profileProvider({
    classes: {
      ...snapshotServiceClasses(deps),
      [VSSD_CLASS]: snapshotVssdSource(deps),
      ...snapshotRasdClasses(deps),
      ...snapshotAssociationClasses(deps),
    },
    methods: { [SERVICE_CLASS]: snapshotServiceMethods(deps) },
  }),
}];

// A snapshot's settings are no configuration of a system: the VSMS (DSP1042) tells them apart by their InstanceIDs.
export { parseSnapshotRasdId, parseSnapshotVssdId } from './naming.js';
