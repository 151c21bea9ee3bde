import { expect } from 'chai';
import { CimInstanceName } from '../../../src/cim/index.js';
import {
  CS_CLASS, VIRT_NS, VSMS_CLASS, VSMS_NAME, computerSystemName, hostName, serviceName, vsmsName,
} from '../../../src/providers/shared/naming.js';
import { type World, associatorNames, associators, seed, world } from '../fixture.js';

const ids = (names: CimInstanceName[]) => names.map((n) => n.keyString('InstanceID') ?? n.keyString('DeviceID') ?? n.keyString('Name')).sort();

describe('providers/dsp1042: the host side\'s associations', () => {
  let w: World;
  before(async () => { w = await world(); await seed(w); });
  after(() => w.close());

  it('HostedDependency: Antecedent = host, Dependent = each virtual system', async () => {
    const names = await associatorNames(w, hostName('testhost'), VIRT_NS, { AssocClass: 'CIM_HostedDependency', ResultRole: 'Dependent', ResultClass: CS_CLASS });
    expect(names.map((n) => n.keyString('Name')).sort()).to.deep.equal(['db', 'web']);
    const back = await associatorNames(w, computerSystemName('db'), VIRT_NS, { AssocClass: 'Xen_HostedDependency' });
    expect(back.map((n) => n.local().identity())).to.deep.equal([hostName('testhost').identity()]);
  });

  it('host → HostedService → VSMS → ElementCapabilities → VSMC, fetched through operations/', async () => {
    // DSP1042 hosts exactly the VSMS; other profiles may host their own services (the object
    // manager is hosted too, through the cross-namespace CIM_HostedService of root/interop).
    const own = await w.registry.providersOf(VIRT_NS, VSMS_CLASS)!.owner!.enumerateInstances(w.ctx(), 'Xen_HostedService', { propertyList: null });
    expect(own.map((a) => (a.get('Dependent') as CimInstanceName).local().identity())).to.deep.equal([vsmsName('testhost').identity()]);
    const svc = await associators(w, hostName('testhost'), VIRT_NS, { AssocClass: 'Xen_HostedService', ResultClass: VSMS_CLASS });
    expect(svc.map((i) => i.get('Name'))).to.deep.equal([VSMS_NAME]);
    const caps = await associators(w, serviceName(VSMS_CLASS, VSMS_NAME, 'testhost'), VIRT_NS, { AssocClass: 'CIM_ElementCapabilities' });
    expect(caps.map((i) => i.get('InstanceID'))).to.deep.equal(['ManagementCapabilities']);
    const hostCaps = await associatorNames(w, hostName('testhost'), VIRT_NS, { AssocClass: 'CIM_ElementCapabilities' });
    expect(ids(hostCaps)).to.deep.equal(['ManagementCapabilities']);
  });

  it('ServiceAffectsElement: the VSMS manages (5) each virtual system', async () => {
    const managed = await associatorNames(w, serviceName(VSMS_CLASS, VSMS_NAME, 'testhost'), VIRT_NS, { AssocClass: 'CIM_ServiceAffectsElement' });
    expect(managed.map((n) => n.keyString('Name')).sort()).to.deep.equal(['db', 'web']);
    const [a] = (await w.enumerate('Xen_ServiceAffectsElement')).filter((x) => (x.get('AffectedElement') as CimInstanceName).keyString('Name') === 'web');
    expect(a!.get('ElementEffects')).to.deep.equal([5]);
  });

});
