/**
 * A NIC on a bridge the host does not have is refused by DefineSystem, AddResourceSettings and
 * ModifyResourceSettings with CIM_ERR_INVALID_PARAMETER naming the RASD property the client used
 * (NetworkName, Connection or PoolID) and the bridge; nothing changes. The network pools are the
 * host's bridges, a bridge with no NIC included.
 */
import { expect } from 'chai';
import { CimInstanceName } from '../../../src/cim/index.js';
import { PROVIDER_BRIDGES, type World, inst, rejects, seed, vssd, world } from '../fixture.js';

const NET = 'Xen_NetResourceAllocationSettingData';

describe('providers/dsp1042: NICs only on bridges the host has', () => {
  let w: World;
  before(async () => {
    w = await world();
    await seed(w);
  });
  after(() => w.close());

  const definitions = async () => JSON.stringify((await w.virt.listSystems()).map((s) => [s.name, s.config]));
  const dbConfig = CimInstanceName.of('Xen_VirtualSystemSettingData', { InstanceID: 'Xen:db' });

  it('DefineSystem names NetworkName, Connection or PoolID and the bridge; nothing is defined', async () => {
    const before = await definitions();
    const define = (net: Record<string, unknown>) => w.call('DefineSystem', {
      SystemSettings: vssd({ VirtualSystemIdentifier: 'lost', Kernel: '/k' }),
      ResourceSettings: [inst(NET, net as never)],
    });
    await rejects(define({ NetworkName: 'xenbr9' }), 'CIM_ERR_INVALID_PARAMETER',
      /ResourceSettings\[0\] \(Xen_NetResourceAllocationSettingData\): NetworkName "xenbr9" names the virtual switch \(bridge\) 'xenbr9', which this host does not have; it has br1, xenbr0, xenbr1, xenbr2/);
    await rejects(define({ Connection: ['xenbr8'] }), 'CIM_ERR_INVALID_PARAMETER', /Connection "xenbr8" names the virtual switch \(bridge\) 'xenbr8'/);
    await rejects(define({ PoolID: 'NetworkPool/xenbr7' }), 'CIM_ERR_INVALID_PARAMETER', /PoolID "NetworkPool\/xenbr7" names the virtual switch \(bridge\) 'xenbr7'/);
    expect(await definitions()).to.equal(before);
  });

  it('AddResourceSettings and a move by ModifyResourceSettings are refused the same way', async () => {
    const before = await definitions();
    await rejects(w.call('AddResourceSettings', { AffectedConfiguration: dbConfig, ResourceSettings: [inst(NET, { NetworkName: 'nosuch' })] }),
      'CIM_ERR_INVALID_PARAMETER', /NetworkName "nosuch" names the virtual switch \(bridge\) 'nosuch', which this host does not have/);
    const mac = (await w.virt.getSystem('web')).config.nics[0]!.mac;
    await rejects(w.call('ModifyResourceSettings', { ResourceSettings: [inst(NET, { InstanceID: `web/${mac}`, Connection: ['xenbr9'] })] }),
      'CIM_ERR_INVALID_PARAMETER', /Connection "xenbr9" names the virtual switch \(bridge\) 'xenbr9'/);
    expect(await definitions()).to.equal(before);
  });

  it('every host bridge has its network pool, with or without a NIC', async () => {
    const pools = (await w.enumerate('Xen_NetworkPool')).map((p) => p.get('InstanceID') as string);
    for (const b of PROVIDER_BRIDGES) expect(pools).to.include(`NetworkPool/${b}`);
  });
});
