import { expect } from 'chai';
import { CIM_ERR, CimError } from '../../../src/cim/index.js';
import { parseSystemType } from '../../../src/providers/dsp1057-virtual-system/index.js';
import { HOST_CLASS, VIRT_NS, VSMS_CLASS, VSMS_NAME, hostName, vsmsName } from '../../../src/providers/shared/naming.js';
import { type World, seed, world } from '../fixture.js';

describe('providers/dsp1042: Xen_HostSystem, VSMS, VSMC', () => {
  let w: World;
  before(async () => { w = await world(); await seed(w); });
  after(() => w.close());

  it('serves exactly one host named by the configured host name, with no physical identifier', async () => {
    const list = await w.enumerate(HOST_CLASS);
    expect(list).to.have.length(1);
    const h = list[0]!;
    expect(h.path!.equals(hostName('testhost'))).to.equal(true);
    expect(h.get('Name')).to.equal('testhost');
    expect(h.get('EnabledState')).to.equal(2);
    expect(h.get('OperationalStatus')).to.deep.equal([2]);
    expect(h.get('HealthState')).to.equal(5);
    for (const p of ['OtherIdentifyingInfo', 'IdentifyingDescriptions', 'PrimaryOwnerName']) expect(h.get(p)).to.equal(null);
    // The simulated host is "xenhost01": that name must not leak in place of the configured one.
    const text = JSON.stringify([...h.properties].map(([, p]) => String(p.value)));
    expect(text).not.to.contain('xenhost01');
  });

  it('GetInstance finds the host and VSMS by key and refuses other names', async () => {
    const p = w.provider(HOST_CLASS);
    expect((await p.getInstance!(w.ctx(), vsmsName('testhost'), { propertyList: null })).get('Name')).to.equal(VSMS_NAME);
    expect((await w.get(hostName('testhost'))).get('Name')).to.equal('testhost');
    const e = await p.getInstance!(w.ctx(), hostName('other'), { propertyList: null }).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(CimError).with.property('code', CIM_ERR.NOT_FOUND);
  });

  it('a method the host does not have is refused naming the class that was called (not the VSMS)', async () => {
    const e = await w.extrinsic(hostName('testhost'), 'RequestStateChange', [{ name: 'RequestedState', value: 3 }]).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(CimError);
    expect((e as CimError).description).to.contain(`${HOST_CLASS}.RequestStateChange`).and.not.contain(VSMS_CLASS);
  });

  it('serves the VSMS keyed by the host, enabled', async () => {
    const [s] = await w.enumerate(VSMS_CLASS);
    expect(s!.get('SystemName')).to.equal('testhost');
    expect(s!.get('SystemCreationClassName')).to.equal(HOST_CLASS);
    expect(s!.get('CreationClassName')).to.equal(VSMS_CLASS);
    expect(s!.get('EnabledState')).to.equal(2);
    expect(s!.get('Release')).to.equal('9.8.7');
  });

  it('the VSMS provider owns its methods: each is implemented, admin only, reached through operations/', async () => {
    const target = vsmsName('testhost');
    const owner = w.registry.providersOf(VIRT_NS, VSMS_CLASS)!.owner!;
    expect(owner).to.equal(w.provider(VSMS_CLASS));
    for (const m of ['DefineSystem', 'DestroySystem', 'AddResourceSettings', 'ModifyResourceSettings', 'RemoveResourceSettings', 'ModifySystemSettings']) {
      expect(owner.methodRole!(m, VSMS_CLASS), m).to.equal('admin');
      // Called without its parameters, each method answers for itself (never METHOD_NOT_AVAILABLE) and changes nothing.
      const e = await w.extrinsic(target, m, []).catch((x: unknown) => x);
      expect(e, m).to.be.instanceOf(CimError).with.property('code', CIM_ERR.INVALID_PARAMETER);
    }
    expect((await w.virt.listSystems()).map((s) => s.name).sort()).to.deep.equal(['db', 'web']);
    // A method the class declares (CIM_Service.StopService) but the VSMS does not implement.
    const e = await w.extrinsic(target, 'StopService', []).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(CimError).with.property('code', CIM_ERR.METHOD_NOT_AVAILABLE);
    const reader = await w.ops.extrinsic({
      kind: 'extrinsic', method: 'DestroySystem', target, params: [], namespace: VIRT_NS, messageId: '1', protocolVersion: '1.0',
    }, { name: 'viewer', role: 'operator' }).catch((x: unknown) => x);
    expect(reader).to.be.instanceOf(CimError).with.property('code', CIM_ERR.ACCESS_DENIED);
  });

  it('VSMC lists the VSMS methods truthfully (those that may become jobs as asynchronous) and the indications delivered', async () => {
    const [c] = await w.enumerate('Xen_VirtualSystemManagementCapabilities');
    expect(c!.get('InstanceID')).to.equal('ManagementCapabilities');
    // 2 Define, 3 Destroy, 5 ModifyResourceSettings, 6 ModifySystemSettings, 7 Remove, 10 Add (CIM_VSMC ValueMap).
    // DefineSystem and ModifySystemSettings only write definitions; the others may become jobs.
    expect(c!.get('SynchronousMethodsSupported')).to.deep.equal([2, 6]);
    expect(c!.get('AsynchronousMethodsSupported')).to.deep.equal([3, 5, 7, 10]);
    // DSP1054 delivers the lifecycle of the virtual resources (RASDs, 2), of jobs (3) and of the virtual systems (4).
    expect(c!.get('IndicationsSupported')).to.deep.equal([2, 3, 4]);
    const types = c!.get('VirtualSystemTypesSupported') as string[];
    // Every advertised type is one DefineSystem accepts: a virtual system's (vssd-convert.ts) or a virtual switch's (DSP1097).
    for (const t of types) if (t !== 'DMTF:Virtual Ethernet Switch') expect(() => parseSystemType(t), t).not.to.throw();
    expect(types).to.include('DMTF:Virtual Ethernet Switch');
    expect(types).to.include.members(['Xen', 'XenFV']);
    expect(c!.get('ElementNameEditSupported')).to.equal(false);
  });
});
