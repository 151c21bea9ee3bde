/**
 * A MAC is one interface's on the host: DefineSystem and AddResourceSettings refuse a NIC whose
 * MAC (Address) another system already uses, naming that system, and change nothing.
 */
import { expect } from 'chai';
import { CimInstanceName } from '../../../src/cim/index.js';
import { type World, inst, rejects, seed, vssd, world } from '../fixture.js';

describe('providers/dsp1042: a MAC another system uses is refused', () => {
  let w: World;
  before(async () => {
    w = await world();
    await seed(w);
  });
  after(() => w.close());

  it('in DefineSystem and AddResourceSettings, in any letter case; nothing changes', async () => {
    const mac = (await w.virt.getSystem('web')).config.nics[0]!.mac;
    const definitions = async () => JSON.stringify((await w.virt.listSystems()).map((s) => [s.name, s.config]));
    const before = await definitions();
    await rejects(w.call('DefineSystem', {
      SystemSettings: vssd({ VirtualSystemIdentifier: 'copycat', Kernel: '/k' }),
      ResourceSettings: [inst('Xen_NetResourceAllocationSettingData', { NetworkName: 'xenbr0', Address: mac.toUpperCase() })],
    }), 'CIM_ERR_INVALID_PARAMETER', new RegExp(`MAC ${mac} is already used by 'web'`));
    await rejects(w.call('AddResourceSettings', {
      AffectedConfiguration: CimInstanceName.of('Xen_VirtualSystemSettingData', { InstanceID: 'Xen:db' }),
      ResourceSettings: [inst('Xen_NetResourceAllocationSettingData', { NetworkName: 'br1', Address: mac })],
    }), 'CIM_ERR_INVALID_PARAMETER', new RegExp(`MAC ${mac} is already used by 'web'`));
    expect(await definitions()).to.equal(before);
    // A MAC of its own is fine.
    const r = await w.call('AddResourceSettings', {
      AffectedConfiguration: CimInstanceName.of('Xen_VirtualSystemSettingData', { InstanceID: 'Xen:db' }),
      ResourceSettings: [inst('Xen_NetResourceAllocationSettingData', { NetworkName: 'br1', Address: '00:16:3e:7f:7f:7f' })],
    });
    expect(r.returnValue).to.equal(0);
  });
});
