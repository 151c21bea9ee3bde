import { expect } from 'chai';
import { CIM_ERR, CimError, CimInstanceName, NameMap, type CimValue } from '../../../src/cim/index.js';
import { HOST_CLASS, VSMS_CLASS, VSMS_NAME, hostName, serviceName } from '../../../src/providers/shared/naming.js';
import { parseSystemType } from '../../../src/providers/dsp1057-virtual-system/vssd-convert.js';
import { type World, seed, world } from '../host-fixture.js';

describe('providers/host: Xen_HostSystem, VSMS, VSMC (DSP1042)', () => {
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
    const vsms = serviceName(VSMS_CLASS, VSMS_NAME, 'testhost');
    expect((await p.getInstance!(w.ctx(), vsms, { propertyList: null })).get('Name')).to.equal(VSMS_NAME);
    const e = await p.getInstance!(w.ctx(), hostName('other'), { propertyList: null }).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(CimError).with.property('code', CIM_ERR.NOT_FOUND);
  });

  it('serves the VSMS keyed by the host, enabled', async () => {
    const [s] = await w.enumerate(VSMS_CLASS);
    expect(s!.get('SystemName')).to.equal('testhost');
    expect(s!.get('SystemCreationClassName')).to.equal(HOST_CLASS);
    expect(s!.get('CreationClassName')).to.equal(VSMS_CLASS);
    expect(s!.get('EnabledState')).to.equal(2);
    expect(s!.get('Release')).to.equal('9.8.7');
  });

  it('VSMS methods are delegated to the injected handler, admin only; METHOD_NOT_AVAILABLE without one', async () => {
    const target = serviceName(VSMS_CLASS, VSMS_NAME, 'testhost');
    const plain = w.provider(VSMS_CLASS);
    expect(plain.methodRole!('DefineSystem', VSMS_CLASS)).to.equal('admin');
    const e = await plain.invokeMethod!(w.ctx(), target, 'DefineSystem', new NameMap()).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(CimError).with.property('code', CIM_ERR.METHOD_NOT_AVAILABLE);

    const calls: string[] = [];
    const w2 = await world({ vsmsMethods: async (_c, t, m) => { calls.push(`${(t as CimInstanceName).keyString('Name')}:${m}`); return { returnValue: 0 }; } });
    try {
      const p = w2.provider(VSMS_CLASS);
      const r = await p.invokeMethod!(w2.ctx(), target, 'DestroySystem', new NameMap<CimValue>());
      expect(r.returnValue).to.equal(0);
      expect(calls).to.deep.equal([`${VSMS_NAME}:DestroySystem`]);
    } finally {
      w2.close();
    }
  });

  it('VSMC lists the VSMS methods truthfully: all synchronous, none asynchronous, no indications', async () => {
    const [c] = await w.enumerate('Xen_VirtualSystemManagementCapabilities');
    expect(c!.get('InstanceID')).to.equal('ManagementCapabilities');
    // 2 Define, 3 Destroy, 5 ModifyResourceSettings, 6 ModifySystemSettings, 7 Remove, 10 Add (CIM_VSMC ValueMap).
    expect(c!.get('SynchronousMethodsSupported')).to.deep.equal([2, 3, 5, 6, 7, 10]);
    expect(c!.get('AsynchronousMethodsSupported')).to.deep.equal([]);
    expect(c!.get('IndicationsSupported')).to.deep.equal([]);
    const types = c!.get('VirtualSystemTypesSupported') as string[];
    // Every advertised type is one DefineSystem accepts (vssd-convert.ts).
    for (const t of types) expect(() => parseSystemType(t), t).not.to.throw();
    expect(types).to.include.members(['Xen', 'XenFV']);
    expect(c!.get('ElementNameEditSupported')).to.equal(false);
  });
});
