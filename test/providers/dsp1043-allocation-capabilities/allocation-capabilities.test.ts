import { expect } from 'chai';
import { CIM_ERR, type CimInstance, CimInstanceName } from '../../../src/cim/index.js';
import { AC_CLASS, POOL_CLASS, RASD_CLASS, VIRT_NS, computerSystemName, instanceIdName, isTemplateInstanceId } from '../../../src/providers/shared/naming.js';
import { type World, associatorNames, associators, emptyDisk, inst, runTo, seed, world } from '../fixture.js';

const ids = (names: CimInstanceName[]) => names.map((n) => n.keyString('InstanceID')).sort();

describe('providers/dsp1043: allocation capabilities and template RASDs', () => {
  let w: World;
  before(async () => { w = await world(); await seed(w); });
  after(() => w.close());

  const byId = async (cls: string) => new Map((await w.enumerate(cls)).map((i) => [i.get('InstanceID') as string, i]));
  /** The template RASDs of a class: its instances with a template InstanceID (the systems' own RASDs come from DSP1041). */
  const templates = async (cls: string): Promise<CimInstance[]> => (await w.enumerate(cls)).filter((i) => isTemplateInstanceId(i.get('InstanceID') as string));

  it('serves the template RASDs next to the systems\' RASDs, one provider each, templates after the systems\' ones', async () => {
    // DSP1041 (the systems' RASDs), DSP1043 (the templates) and the snapshot service (the snapshots' RASDs).
    for (const cls of Object.values(RASD_CLASS)) expect(w.registry.providersOf(VIRT_NS, cls)?.all, cls).to.have.length(3);
    const mem = (await w.enumerate(RASD_CLASS.memory)).map((i) => i.get('InstanceID') as string);
    expect(mem.filter((id) => !isTemplateInstanceId(id))).to.deep.equal(mem.slice(0, mem.length - 4));
    expect(mem.slice(-4)).to.deep.equal(['MemoryPool/0/Default', 'MemoryPool/0/Minimum', 'MemoryPool/0/Maximum', 'MemoryPool/0/Increment']);
  });

  it('one AllocationCapabilities per pool, InstanceID = PoolID, same ResourceType', async () => {
    const pools = (await Promise.all(Object.values(POOL_CLASS).map((c) => w.enumerate(c)))).flat();
    const acs = await byId(AC_CLASS);
    expect(acs.size).to.equal(pools.length);
    for (const p of pools) expect(acs.get(p.get('InstanceID') as string)!.get('ResourceType')).to.equal(p.get('ResourceType'));
  });

  it('memory templates are computed from the host: maximum = advertised capacity', async () => {
    const cap = await w.virt.capacity();
    const t = new Map((await templates(RASD_CLASS.memory)).map((i) => [i.get('InstanceID') as string, i]));
    expect([...t.keys()].sort()).to.deep.equal(['MemoryPool/0/Default', 'MemoryPool/0/Increment', 'MemoryPool/0/Maximum', 'MemoryPool/0/Minimum']);
    // KiB (byte*2^10); the model keeps whole MiB, so the increment is 1024.
    expect(t.get('MemoryPool/0/Maximum')!.get('VirtualQuantity')).to.equal(cap.memory.capacityMiB * 1024);
    expect(t.get('MemoryPool/0/Minimum')!.get('VirtualQuantity')).to.equal(16 * 1024);
    expect(t.get('MemoryPool/0/Default')!.get('VirtualQuantity')).to.equal(512 * 1024);
    expect(t.get('MemoryPool/0/Increment')!.get('VirtualQuantity')).to.equal(1024);
    expect(t.get('MemoryPool/0/Default')!.get('AllocationUnits')).to.equal('byte*2^10');
    expect(t.get('MemoryPool/0/Default')!.get('PoolID')).to.equal('MemoryPool/0');
  });

  it('processor templates: vCPUs 1..host processors, weight 1..65535 default 256, cap 0..100×processors', async () => {
    const host = await w.virt.hostInfo();
    const t = new Map((await templates(RASD_CLASS.processor)).map((i) => [i.get('InstanceID') as string, i]));
    const max = t.get('ProcessorPool/0/Maximum')!;
    expect(max.get('VirtualQuantity')).to.equal(host.processors);
    expect(max.get('Weight')).to.equal(65535);
    expect(max.get('Limit')).to.equal(100 * host.processors);
    const def = t.get('ProcessorPool/0/Default')!;
    expect([def.get('VirtualQuantity'), def.get('Weight'), def.get('Limit')]).to.deep.equal([1, 256, 0]);
    expect(t.get('ProcessorPool/0/Minimum')!.get('Weight')).to.equal(1);
  });

  it('network templates per network pool name their bridge; unique template IDs across pools', async () => {
    const nets = await templates(RASD_CLASS.network);
    // Four templates for each of the five network pools: NetworkPool/0 and one per host bridge.
    expect(nets).to.have.length(20);
    const br1 = nets.find((i) => i.get('InstanceID') === 'NetworkPool/br1/Default')!;
    expect(br1.get('NetworkName')).to.equal('br1');
    const ids = nets.map((i) => i.get('InstanceID'));
    expect(new Set(ids).size).to.equal(ids.length);
  });

  it('GetInstance finds a template by InstanceID in its own class only; real RASD IDs are never template IDs', async () => {
    expect((await w.get(instanceIdName(RASD_CLASS.disk, 'DiskPool/0/Default'))).get('ResourceType')).to.equal(17);
    const e = await w.get(instanceIdName(RASD_CLASS.memory, 'DiskPool/0/Default')).catch((x: unknown) => x);
    expect(e).to.have.property('code', CIM_ERR.NOT_FOUND);
    expect(isTemplateInstanceId('web/mem')).to.equal(false);
    expect(isTemplateInstanceId('web/00:16:3e:00:00:01')).to.equal(false);
    expect(isTemplateInstanceId('MemoryPool/0/Maximum')).to.equal(true);
  });

  it('SettingsDefineCapabilities: four per AllocationCapabilities, roles and ranges per DSP1043', async () => {
    const sdc = await w.enumerate('Xen_SettingsDefineCapabilities');
    const acs = await w.enumerate('Xen_AllocationCapabilities');
    expect(sdc).to.have.length(4 * acs.length);
    const mem = sdc.filter((a) => (a.get('GroupComponent') as CimInstanceName).keyString('InstanceID') === 'MemoryPool/0');
    const roles = Object.fromEntries(mem.map((a) => [(a.get('PartComponent') as CimInstanceName).keyString('InstanceID'), [a.get('ValueRole'), a.get('ValueRange'), a.get('PropertyPolicy')]]));
    expect(roles).to.deep.equal({
      'MemoryPool/0/Default': [0, 0, 0],
      'MemoryPool/0/Minimum': [3, 1, 0],
      'MemoryPool/0/Maximum': [3, 2, 0],
      'MemoryPool/0/Increment': [3, 3, 0],
    });
    // Every PartComponent names a template RASD that exists.
    for (const a of sdc) {
      const part = a.get('PartComponent') as CimInstanceName;
      expect(isTemplateInstanceId(part.keyString('InstanceID')!), part.toString()).to.equal(true);
      expect((await w.get(part)).path!.equals(part), part.toString()).to.equal(true);
    }
  });

  it('pool ↔ AllocationCapabilities, and AllocationCapabilities → templates through SettingsDefineCapabilities', async () => {
    const ac = await associators(w, instanceIdName(POOL_CLASS.memory, 'MemoryPool/0'), VIRT_NS, { AssocClass: 'CIM_ElementCapabilities' });
    expect(ac.map((i) => i.className + ':' + String(i.get('InstanceID')))).to.deep.equal(['Xen_AllocationCapabilities:MemoryPool/0']);
    const templates = await associatorNames(w, instanceIdName('Xen_AllocationCapabilities', 'ProcessorPool/0'), VIRT_NS, { AssocClass: 'CIM_SettingsDefineCapabilities' });
    expect(ids(templates)).to.deep.equal(['ProcessorPool/0/Default', 'ProcessorPool/0/Increment', 'ProcessorPool/0/Maximum', 'ProcessorPool/0/Minimum']);
    expect(templates.every((n) => n.className === RASD_CLASS.processor)).to.equal(true);
  });
  it('SupportedAddStates and SupportedRemoveStates list every EnabledState in which disks and interfaces are hot-plugged', async () => {
    const configuration = instanceIdName('Xen_VirtualSystemSettingData', 'Xen:web');
    const states = async (poolId: string) => {
      const ac = await w.get(instanceIdName(AC_CLASS, poolId));
      return { add: ac.get('SupportedAddStates') as number[], remove: ac.get('SupportedRemoveStates') as number[] };
    };
    // Running (2), paused (9 Quiesce), saved (6 Enabled but Offline), defined (3).
    for (const [i, target] of (['running', 'paused', 'suspended', 'defined'] as const).entries()) {
      if (i > 0) await runTo(w.virt, 'web', target === 'suspended' ? 'running' : target);
      if (target === 'suspended') await runTo(w.virt, 'web', 'suspended');
      const enabled = (await w.get(computerSystemName('web'))).get('EnabledState') as number;
      const add = await w.call('AddResourceSettings', {
        AffectedConfiguration: configuration,
        ResourceSettings: [
          inst('Xen_DiskResourceAllocationSettingData', { VirtualDevice: 'xvdh', Address: emptyDisk(w, `hp${i}`) }),
          inst('Xen_NetResourceAllocationSettingData', { NetworkName: 'xenbr1' }),
        ],
      });
      expect(add.returnValue, `add while ${target}`).to.equal(0);
      const added = (add.out['ResultingResourceSettings'] as CimInstanceName[]).slice(0, 2);
      expect((await w.call('RemoveResourceSettings', { ResourceSettings: added })).returnValue, `remove while ${target}`).to.equal(0);
      for (const pool of ['DiskPool/0', 'NetworkPool/xenbr1']) {
        const s = await states(pool);
        expect(s.add, `${pool} SupportedAddStates while ${target}`).to.include(enabled);
        expect(s.remove, `${pool} SupportedRemoveStates while ${target}`).to.include(enabled);
      }
    }
    await runTo(w.virt, 'web', 'running');
  });
});
