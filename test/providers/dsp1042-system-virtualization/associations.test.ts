import { expect } from 'chai';
import { CimInstanceName } from '../../../src/cim/index.js';
import {
  CS_CLASS, POOL_CLASS, RASD_CLASS, VIRT_NS, VSMS_CLASS, VSMS_NAME, computerSystemName, deviceName, hostName,
  instanceIdName, isTemplateInstanceId, parseDeviceId, serviceName,
} from '../../../src/providers/shared/naming.js';
import { type World, associatorNames, associators, seed, world } from '../fixture.js';

const ASSOCS = [
  'Xen_HostedService', 'Xen_HostedResourcePool', 'Xen_HostedDependency', 'Xen_ElementCapabilities',
  'Xen_ElementAllocatedFromPool', 'Xen_ResourceAllocationFromPool', 'Xen_SettingsDefineCapabilities', 'Xen_ServiceAffectsElement',
];

/** Classes the virtual-system providers serve: checked by key format only. */
const COLLEAGUE = new Set(['Xen_ComputerSystem', 'Xen_EnabledLogicalElementCapabilities', 'Xen_Processor', 'Xen_Memory', 'Xen_LogicalDisk', 'Xen_NetworkPort', ...Object.values(RASD_CLASS)]);

let activeSystems = new Set<string>();

/** The system a reference to a colleague's class belongs to, by key format; null for a template RASD. */
function systemOf(ref: CimInstanceName): string | null {
  if (ref.className === CS_CLASS) return ref.keyString('Name')!;
  const system = ref.keyString('SystemName');
  if (system !== undefined) {
    expect(parseDeviceId(ref.keyString('DeviceID')!)?.system).to.equal(system);
    expect(activeSystems.has(system), `a device of ${system}, which has no domain`).to.equal(true);
    return system;
  }
  const id = ref.keyString('InstanceID')!;
  if (isTemplateInstanceId(id)) return null; // checked by the SettingsDefineCapabilities test
  return parseDeviceId(id)?.system ?? id; // RASD `<system>/<devid>`, ELEC `<system>`
}

const ids = (names: CimInstanceName[]) => names.map((n) => n.keyString('InstanceID') ?? n.keyString('DeviceID') ?? n.keyString('Name')).sort();

describe('providers/host: associations (DSP1042/DSP1041/DSP1043)', () => {
  let w: World;
  let systems: Map<string, { vcpus: number; disks: string[]; macs: string[]; active: boolean }>;
  before(async () => {
    w = await world();
    await seed(w);
    systems = new Map((await w.virt.listSystems()).map((s) => [s.name, {
      vcpus: s.live?.onlineVcpus ?? s.config.vcpus, active: s.live !== undefined, disks: s.config.disks.map((d) => d.vdev), macs: s.config.nics.map((n) => n.mac),
    }]));
    activeSystems = new Set([...systems].filter(([, v]) => v.active).map(([k]) => k));
  });
  after(() => w.close());

  it('every reference names an instance that exists (ours fetched, the colleague\'s by key format)', async () => {
    for (const cls of ASSOCS) {
      for (const a of await w.enumerate(cls)) {
        for (const [, p] of a.properties) {
          const ref = p.value;
          if (!(ref instanceof CimInstanceName)) continue;
          if (COLLEAGUE.has(ref.className)) {
            const sys = systemOf(ref);
            if (sys !== null) expect(systems.has(sys), `${cls}: ${ref.toString()}`).to.equal(true);
            continue;
          }
          const inst = await w.provider(ref.className).getInstance!(w.ctx(), ref, { propertyList: null });
          expect(inst.path!.equals(ref), `${cls}: ${ref.toString()}`).to.equal(true);
        }
      }
    }
  });

  it('HostedDependency: Antecedent = host, Dependent = each virtual system', async () => {
    const names = await associatorNames(w, hostName('testhost'), VIRT_NS, { AssocClass: 'CIM_HostedDependency', ResultRole: 'Dependent', ResultClass: CS_CLASS });
    expect(names.map((n) => n.keyString('Name')).sort()).to.deep.equal(['db', 'web']);
    const back = await associatorNames(w, computerSystemName('db'), VIRT_NS, { AssocClass: 'Xen_HostedDependency' });
    expect(back.map((n) => n.local().identity())).to.deep.equal([hostName('testhost').identity()]);
  });

  it('host → HostedService → VSMS → ElementCapabilities → VSMC, and host → pools, fetched through operations/', async () => {
    // Xen_HostedService: the DSP1042 services (the object manager is hosted too, through the
    // cross-namespace CIM_HostedService of root/interop).
    const svc = await associators(w, hostName('testhost'), VIRT_NS, { AssocClass: 'Xen_HostedService' });
    expect(svc.map((i) => i.get('Name'))).to.deep.equal([VSMS_NAME]);
    const caps = await associators(w, serviceName(VSMS_CLASS, VSMS_NAME, 'testhost'), VIRT_NS, { AssocClass: 'CIM_ElementCapabilities' });
    expect(caps.map((i) => i.get('InstanceID'))).to.deep.equal(['ManagementCapabilities']);
    const hostCaps = await associatorNames(w, hostName('testhost'), VIRT_NS, { AssocClass: 'CIM_ElementCapabilities' });
    expect(ids(hostCaps)).to.deep.equal(['ManagementCapabilities']);
    const pools = await associators(w, hostName('testhost'), VIRT_NS, { AssocClass: 'CIM_HostedResourcePool' });
    expect(pools.map((i) => i.get('InstanceID')).sort()).to.deep.equal(['DiskPool/0', 'MemoryPool/0', 'NetworkPool/0', 'NetworkPool/br1', 'NetworkPool/xenbr0', 'ProcessorPool/0']);
  });

  it('pool ↔ AllocationCapabilities, and AllocationCapabilities → templates through SettingsDefineCapabilities', async () => {
    const ac = await associators(w, instanceIdName(POOL_CLASS.memory, 'MemoryPool/0'), VIRT_NS, { AssocClass: 'CIM_ElementCapabilities' });
    expect(ac.map((i) => i.className + ':' + String(i.get('InstanceID')))).to.deep.equal(['Xen_AllocationCapabilities:MemoryPool/0']);
    const templates = await associatorNames(w, instanceIdName('Xen_AllocationCapabilities', 'ProcessorPool/0'), VIRT_NS, { AssocClass: 'CIM_SettingsDefineCapabilities' });
    expect(ids(templates)).to.deep.equal(['ProcessorPool/0/Default', 'ProcessorPool/0/Increment', 'ProcessorPool/0/Maximum', 'ProcessorPool/0/Minimum']);
    expect(templates.every((n) => n.className === RASD_CLASS.processor)).to.equal(true);
  });

  it('ServiceAffectsElement: the VSMS manages (5) each virtual system', async () => {
    const managed = await associatorNames(w, serviceName(VSMS_CLASS, VSMS_NAME, 'testhost'), VIRT_NS, { AssocClass: 'CIM_ServiceAffectsElement' });
    expect(managed.map((n) => n.keyString('Name')).sort()).to.deep.equal(['db', 'web']);
    const [a] = (await w.enumerate('Xen_ServiceAffectsElement')).filter((x) => (x.get('AffectedElement') as CimInstanceName).keyString('Name') === 'web');
    expect(a!.get('ElementEffects')).to.deep.equal([5]);
  });

  it('virtual system ↔ its EnabledLogicalElementCapabilities (InstanceID = system name)', async () => {
    const elec = await associatorNames(w, computerSystemName('web'), VIRT_NS, { AssocClass: 'CIM_ElementCapabilities' });
    expect(elec.map((n) => `${n.className}:${n.keyString('InstanceID')}`)).to.deep.equal(['Xen_EnabledLogicalElementCapabilities:web']);
  });

  it('ResourceAllocationFromPool: pool → each RASD drawn from it', async () => {
    const web = systems.get('web')!;
    const db = systems.get('db')!;
    const mem = await associatorNames(w, instanceIdName(POOL_CLASS.memory, 'MemoryPool/0'), VIRT_NS, { AssocClass: 'CIM_ResourceAllocationFromPool' });
    expect(ids(mem)).to.deep.equal(['db/mem', 'web/mem']);
    const proc = await associatorNames(w, instanceIdName(POOL_CLASS.processor, 'ProcessorPool/0'), VIRT_NS, { AssocClass: 'CIM_ResourceAllocationFromPool' });
    expect(ids(proc)).to.deep.equal(['db/proc', 'web/proc']);
    const disk = await associatorNames(w, instanceIdName(POOL_CLASS.disk, 'DiskPool/0'), VIRT_NS, { AssocClass: 'CIM_ResourceAllocationFromPool' });
    expect(ids(disk)).to.deep.equal([`web/${web.disks[0]}`]);
    const br1 = await associatorNames(w, instanceIdName(POOL_CLASS.network, 'NetworkPool/br1'), VIRT_NS, { AssocClass: 'CIM_ResourceAllocationFromPool' });
    expect(ids(br1)).to.deep.equal([`db/${db.macs[0]}`]);
    expect(br1[0]!.className).to.equal(RASD_CLASS.network);
    // Reverse: from the RASD to its pool.
    const back = await associatorNames(w, instanceIdName(RASD_CLASS.memory, 'web/mem'), VIRT_NS, { AssocClass: 'CIM_ResourceAllocationFromPool' });
    expect(ids(back)).to.deep.equal(['MemoryPool/0']);
  });

  it('ElementAllocatedFromPool: pool → logical devices of active systems (one Xen_Processor per vCPU) and child pool ← primordial one', async () => {
    const web = systems.get('web')!;
    const procs = await associatorNames(w, instanceIdName(POOL_CLASS.processor, 'ProcessorPool/0'), VIRT_NS, { AssocClass: 'CIM_ElementAllocatedFromPool' });
    // `db` is only defined: it has RASDs but no devices (devices.ts).
    expect(ids(procs)).to.deep.equal(Array.from({ length: web.vcpus }, (_, i) => `web/${i}`));
    expect(procs.every((n) => n.className === 'Xen_Processor' && n.keyString('SystemCreationClassName') === CS_CLASS)).to.equal(true);
    const nets = await associatorNames(w, instanceIdName(POOL_CLASS.network, 'NetworkPool/xenbr0'), VIRT_NS, { AssocClass: 'CIM_ElementAllocatedFromPool' });
    expect(nets.map((n) => n.local().identity()).sort()).to.deep.equal([
      deviceName('Xen_NetworkPort', 'web', web.macs[0]!).identity(),
      instanceIdName(POOL_CLASS.network, 'NetworkPool/0').identity(),
    ].sort());
    const child = await associatorNames(w, instanceIdName(POOL_CLASS.network, 'NetworkPool/0'), VIRT_NS, { AssocClass: 'CIM_ElementAllocatedFromPool', ResultRole: 'Dependent' });
    expect(ids(child)).to.deep.equal(['NetworkPool/br1', 'NetworkPool/xenbr0']);
  });
});
