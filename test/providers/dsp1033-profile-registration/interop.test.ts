import { expect } from 'chai';
import { CimInstanceName, type ExtrinsicRequest } from '../../../src/cim/index.js';
import { INTEROP_NS, POOL_CLASS, VIRT_NS, computerSystemName, hostName, instanceIdName } from '../../../src/providers/shared/naming.js';
import { type World, admin, associatorNames, associators, enumerateVia, loadProfiles, seed, world } from '../fixture.js';

const profile = (id: string) => instanceIdName('Xen_RegisteredProfile', id);
const DSP1042 = profile('CIM:DSP1042-SystemVirtualization-1.0.0');
const DSP1057 = profile('CIM:DSP1057-VirtualSystem-1.0.0a');
const DSP1033 = profile('CIM:DSP1033-ProfileRegistration-1.0.0');
const ECTP = { AssocClass: 'CIM_ElementConformsToProfile' };

const at = (n: CimInstanceName) => `${n.namespace}:${n.className}.${n.keybindings.map((k) => String(k.value)).sort().join(',')}`;

describe('providers/dsp1033: registered profiles and the server description (what pywbem reads)', () => {
  let w: World;
  before(async () => { w = await world(); await seed(w); });
  after(() => w.close());

  it('one CIM_Namespace per namespace, ClassInfo set (Required)', async () => {
    const ns = await enumerateVia(w, 'CIM_Namespace', INTEROP_NS);
    expect(ns.map((i) => i.get('Name')).sort()).to.deep.equal([INTEROP_NS, VIRT_NS]);
    for (const i of ns) expect(i.get('ClassInfo')).to.not.equal(null);
    expect(ns[0]!.get('ObjectManagerName')).to.equal('xen-wbem');
  });

  it('exactly one CIM_ObjectManager whose Description carries the version', async () => {
    const om = await enumerateVia(w, 'CIM_ObjectManager', INTEROP_NS);
    expect(om).to.have.length(1);
    expect(om[0]!.get('ElementName')).to.equal('xen-wbem');
    expect(om[0]!.get('Description')).to.match(/version 9\.8\.7$/);
    expect(om[0]!.get('SystemName')).to.equal('testhost');
    expect(om[0]!.get('SystemCreationClassName')).to.equal('Xen_HostSystem');
  });

  it('the CIM-XML communication mechanism states what we implement, and is linked to the object manager', async () => {
    const [cm] = await enumerateVia(w, 'CIM_ObjectManagerCommunicationMechanism', INTEROP_NS);
    expect(cm!.className).to.equal('CIM_CIMXMLCommunicationMechanism');
    // 9 Indications: the server takes DSP1054 subscriptions and delivers what they select.
    expect(cm!.get('FunctionalProfilesSupported')).to.deep.equal([2, 3, 5, 6, 7, 9, 10, 11, 12]);
    expect(cm!.get('FunctionalProfileDescriptions')).to.include('Indications');
    expect(cm!.get('AuthenticationMechanismsSupported')).to.deep.equal([3]);
    const om = (await enumerateVia(w, 'CIM_ObjectManager', INTEROP_NS))[0]!.path!;
    const linked = await associatorNames(w, om, INTEROP_NS, { AssocClass: 'CIM_CommMechanismForManager' });
    expect(linked.map((n) => n.local().identity())).to.deep.equal([cm!.path!.identity()]);
    const spaces = await associatorNames(w, om, INTEROP_NS, { AssocClass: 'CIM_NamespaceInManager' });
    expect(spaces.map((n) => n.keyString('Name')).sort()).to.deep.equal([INTEROP_NS, VIRT_NS]);
  });

  it('the object manager is hosted by the Xen host, across namespaces (instance fetched from root/virt)', async () => {
    const om = (await enumerateVia(w, 'CIM_ObjectManager', INTEROP_NS))[0]!.path!;
    const host = await associators(w, om, INTEROP_NS, { AssocClass: 'CIM_HostedService' });
    expect(host.map((i) => `${i.path!.namespace}:${String(i.get('Name'))}`)).to.deep.equal([`${VIRT_NS}:testhost`]);
  });

  it('one Xen_RegisteredProfile per profiles/*.json, found as CIM_RegisteredProfile', async () => {
    const list = await enumerateVia(w, 'CIM_RegisteredProfile', INTEROP_NS);
    expect(list).to.have.length(w.deps.profiles.length);
    const sv = list.find((i) => i.get('InstanceID') === 'CIM:DSP1042-SystemVirtualization-1.0.0')!;
    expect(sv.className).to.equal('Xen_RegisteredProfile');
    expect([sv.get('RegisteredOrganization'), sv.get('RegisteredName'), sv.get('RegisteredVersion')]).to.deep.equal([2, 'System Virtualization', '1.0.0']);
    expect(sv.get('AdvertiseTypes')).to.deep.equal([2]);
  });

  it('ReferencedProfile in the DMTF direction: Antecedent = component, Dependent = scoping', async () => {
    const scoping = await associatorNames(w, DSP1057, INTEROP_NS, { AssocClass: 'CIM_ReferencedProfile', ResultRole: 'Dependent' });
    expect(scoping.map((n) => n.keyString('InstanceID'))).to.include('CIM:DSP1042-SystemVirtualization-1.0.0');
    const components = await associatorNames(w, DSP1042, INTEROP_NS, { AssocClass: 'CIM_ReferencedProfile', ResultRole: 'Antecedent' });
    const got = components.map((n) => n.keyString('InstanceID'));
    for (const suffix of ['d', 'n', 'p', 'm']) expect(got).to.include(`CIM:DSP1041-ResourceAllocation-1.1.0c_${suffix}`);
    expect(got).to.include('CIM:DSP1043-AllocationCapabilities-1.0.0a');
    expect(got).not.to.include('CIM:DSP1042-SystemVirtualization-1.0.0');
    const alloc = await associatorNames(w, profile('CIM:DSP1043-AllocationCapabilities-1.0.0a'), INTEROP_NS, { AssocClass: 'CIM_ReferencedProfile', ResultRole: 'Dependent' });
    expect(alloc.map((n) => n.keyString('InstanceID'))).to.include('CIM:DSP1041-ResourceAllocation-1.1.0c_m');
  });

  it('ReferencedProfile never makes a scoping profile a component of its own component (one that lists it among its references)', async () => {
    const pairs = (await enumerateVia(w, 'CIM_ReferencedProfile', INTEROP_NS))
      .map((i) => [(i.get('Antecedent') as CimInstanceName).keyString('InstanceID')!, (i.get('Dependent') as CimInstanceName).keyString('InstanceID')!] as const);
    // A scoping profile (Dependent of its components) is never also one of their components.
    const scoped = new Set(loadProfiles().flatMap((c) => loadProfiles().filter((s) => s.dsp === c.scopingProfile).map((s) => `${s.instanceId} ${c.instanceId}`)));
    expect(scoped.size).to.be.greaterThan(10);
    expect(pairs.filter(([a, d]) => scoped.has(`${a} ${d}`))).to.deep.equal([]);
    // DSP1081 lists DSP1042 among the profiles it references, and is scoped by it.
    const migration = profile('CIM:DSP1081-VirtualSystemMigration-1.0.0');
    const components = await associatorNames(w, migration, INTEROP_NS, { AssocClass: 'CIM_ReferencedProfile', ResultRole: 'Antecedent' });
    expect(components.map((n) => n.keyString('InstanceID'))).not.to.include('CIM:DSP1042-SystemVirtualization-1.0.0');
    const scoping = await associatorNames(w, migration, INTEROP_NS, { AssocClass: 'CIM_ReferencedProfile', ResultRole: 'Dependent' });
    expect(scoping.map((n) => n.keyString('InstanceID'))).to.deep.equal(['CIM:DSP1042-SystemVirtualization-1.0.0']);
  });

  it('central class methodology from the profile (interop): DSP1042 → host, DSP1057 → each system, in root/virt', async () => {
    const hosts = await associatorNames(w, DSP1042, INTEROP_NS, { ...ECTP, ResultRole: 'ManagedElement' });
    expect(hosts.map(at)).to.deep.equal([at(hostName('testhost').withNamespace(VIRT_NS))]);
    const systems = await associatorNames(w, DSP1057, INTEROP_NS, { ...ECTP, ResultRole: 'ManagedElement' });
    expect(systems.map(at).sort()).to.deep.equal(['db', 'web'].map((s) => at(computerSystemName(s).withNamespace(VIRT_NS))));
    // Associators fetches the far end from root/virt.
    const inst = await associators(w, DSP1042, INTEROP_NS, ECTP);
    expect(inst.map((i) => i.get('Name'))).to.deep.equal(['testhost']);
    const om = await associatorNames(w, DSP1033, INTEROP_NS, ECTP);
    expect(om.map((n) => `${n.namespace}:${n.className}`)).to.deep.equal([`${INTEROP_NS}:CIM_ObjectManager`]);
  });

  it('and back from the managed element (root/virt) to its profiles in root/interop', async () => {
    const fromHost = await associatorNames(w, hostName('testhost'), VIRT_NS, ECTP);
    expect(fromHost.map(at)).to.deep.equal([at(DSP1042.withNamespace(INTEROP_NS))]);
    const fromPool = await associatorNames(w, instanceIdName(POOL_CLASS.memory, 'MemoryPool/0'), VIRT_NS, ECTP);
    expect(fromPool.map((n) => n.keyString('InstanceID')).sort()).to.deep.equal([
      'CIM:DSP1041-ResourceAllocation-1.1.0c_m', 'CIM:DSP1045-MemoryResourceVirtualization-1.0.0',
    ]);
    expect(fromPool.every((n) => n.namespace === INTEROP_NS)).to.equal(true);
    const fromAc = await associatorNames(w, instanceIdName('Xen_AllocationCapabilities', 'DiskPool/0'), VIRT_NS, ECTP);
    expect(fromAc.map((n) => n.keyString('InstanceID'))).to.deep.equal(['CIM:DSP1043-AllocationCapabilities-1.0.0a']);
    const profiles = await associators(w, computerSystemName('web'), VIRT_NS, ECTP);
    expect(profiles.map((i) => i.get('RegisteredName'))).to.deep.equal(['Virtual System']);
  });

  it('GetCentralInstances answers the same central instances with their namespace', async () => {
    const req: ExtrinsicRequest = { kind: 'extrinsic', method: 'GetCentralInstances', target: DSP1057, params: [], namespace: INTEROP_NS, messageId: '1', protocolVersion: '1.0' };
    const r = await w.ops.extrinsic(req, admin);
    expect(r.returnValue).to.equal(0);
    const refs = r.out[0]!.value as CimInstanceName[];
    expect(refs.map(at).sort()).to.deep.equal(['db', 'web'].map((s) => at(computerSystemName(s).withNamespace(VIRT_NS))));
  });

  it('GetCentralInstances of a profile advertised by the scoping class methodology (DSP1103) still answers its central instances', async () => {
    const jobControl = profile('CIM:DSP1103-JobControl-1.0.0');
    // No ElementConformsToProfile: clients find the jobs from the scoping instance.
    expect(await associatorNames(w, jobControl, INTEROP_NS, ECTP)).to.deep.equal([]);
    const jobs = (await enumerateVia(w, 'CIM_ConcreteJob', VIRT_NS)).map((i) => at(i.path!.withNamespace(VIRT_NS)));
    expect(jobs).to.not.be.empty;
    const req: ExtrinsicRequest = { kind: 'extrinsic', method: 'GetCentralInstances', target: jobControl, params: [], namespace: INTEROP_NS, messageId: '1', protocolVersion: '1.0' };
    const r = await w.ops.extrinsic(req, admin);
    expect(r.returnValue).to.equal(0);
    expect((r.out[0]!.value as CimInstanceName[]).map(at).sort()).to.deep.equal(jobs.sort());
  });
});
