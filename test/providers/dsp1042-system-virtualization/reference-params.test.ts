/**
 * A VSMS reference parameter designates an instance of its class (DSP0004): a reference to
 * another class never designates a virtual system or one of its settings, even when its keys look
 * like one. The schema checks the class of a reference to this server; one that names a host is
 * not checked there, so the providers check it themselves.
 */
import { expect } from 'chai';
import { CimInstanceName } from '../../../src/cim/index.js';
import { type World, rejects, seed, world } from '../fixture.js';

/** The same reference as a client naming a host would send it (the schema leaves its class unchecked). */
const elsewhere = (n: CimInstanceName): CimInstanceName => new CimInstanceName(n.className, n.keybindings, 'root/virt', 'elsewhere');

describe('providers/dsp1042: the class of a reference parameter is checked', function () {
  this.timeout(40_000);
  let w: World;
  const names = async () => (await w.virt.listSystems()).map((s) => s.name).sort();
  before(async () => {
    w = await world();
    await seed(w);
  });
  after(async () => w.close());

  it('DestroySystem refuses a reference that is not to a Xen_ComputerSystem, and destroys nothing', async () => {
    for (const ref of [
      elsewhere(CimInstanceName.of('CIM_ManagedElement', { Name: 'db' })),
      CimInstanceName.of('Xen_HostSystem', { Name: 'db' }),
      CimInstanceName.of('Xen_HostSystem', { CreationClassName: 'Xen_HostSystem', Name: 'db' }),
      CimInstanceName.of('CIM_ComputerSystem', { Name: 'db' }),
    ]) {
      await rejects(w.call('DestroySystem', { AffectedSystem: ref }), 'CIM_ERR_INVALID_PARAMETER', /not a reference to a Xen_ComputerSystem/);
    }
    expect(await names()).to.deep.equal(['db', 'web']);
    await rejects(w.call('DestroySystem', { AffectedSystem: CimInstanceName.of('Xen_ComputerSystem', { CreationClassName: 'Xen_ComputerSystem', Name: 'ghost' }) }), 'CIM_ERR_NOT_FOUND');
  });

  it('DestroySystem takes a reference by CIM_ComputerSystem with the keys of a Xen_ComputerSystem', async () => {
    await w.virt.defineSystem({ name: 'gone', type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/k' } });
    const ref = CimInstanceName.of('CIM_ComputerSystem', { CreationClassName: 'Xen_ComputerSystem', Name: 'gone' });
    expect((await w.call('DestroySystem', { AffectedSystem: ref })).returnValue).to.equal(0);
    expect(await names()).to.deep.equal(['db', 'web']);
  });
});
