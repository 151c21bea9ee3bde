import { expect } from 'chai';
import { VirtManager } from '../../src/virt/manager.js';
import { rejects } from '../support/virt-expect.js';
import { StubDriver } from './stub-driver.js';

/**
 * Removing a switch checks that no system has an interface on it; adding an interface (or defining
 * a system with one) checks that the switch exists. Each under its own lock only, the two could
 * interleave: the switch removed between the add's check and its attach, leaving an interface on
 * a bridge that no longer exists. Whichever comes second is refused while the other runs.
 */
describe('virt: a switch removed while an interface is being added to it', () => {
  it('a removal while an interface is being added to the switch is refused; afterwards the switch has the interface', async () => {
    const d = new StubDriver();
    d.switchList = [{ name: 'xenbr0', up: true }, { name: 'xenbr1', up: true }];
    const vm = new VirtManager(d, { pollIntervalMs: 1 });
    d.add({ name: 'web' }, 'running');
    const open = d.hold('attachInterface');
    const adding = vm.changeResources([{ system: 'web', action: 'add_nic', nic: { bridge: 'xenbr1' } }]);
    for (let i = 0; i < 100 && !d.calls.some((c) => c.startsWith('attachInterface')); i++) await new Promise((r) => setTimeout(r, 2));
    await rejects(vm.destroySwitch('xenbr1'), 'busy', /an interface is being put on the virtual switch 'xenbr1'/);
    open();
    await adding;
    await rejects(vm.destroySwitch('xenbr1'), 'invalid_state', /still has interfaces of web/);
    expect(d.switchList.map((s) => s.name)).to.deep.equal(['xenbr0', 'xenbr1']);
    // Another addition to the same switch never waited for the first.
    expect((await vm.changeResources([{ system: 'web', action: 'add_nic', nic: { bridge: 'xenbr1' } }])).outcomes).to.have.length(1);
  });

  it('a removal while a system is being defined with an interface on the switch is refused too', async () => {
    const d = new StubDriver();
    d.switchList = [{ name: 'xenbr0', up: true }, { name: 'xenbr1', up: true }];
    const vm = new VirtManager(d, { pollIntervalMs: 1 });
    const open = d.hold('define');
    const defining = vm.defineSystem({ name: 'db', type: 'pv', memoryMiB: 256, vcpus: 1, boot: { kernel: '/k' }, nics: [{ bridge: 'xenbr1' }] });
    for (let i = 0; i < 100 && !d.calls.some((c) => c.startsWith('define')); i++) await new Promise((r) => setTimeout(r, 2));
    await rejects(vm.destroySwitch('xenbr1'), 'busy', /being put on the virtual switch 'xenbr1'/);
    open();
    await defining;
    await rejects(vm.destroySwitch('xenbr1'), 'invalid_state', /still has interfaces of db/);
    // Nothing is left marked: an unused switch goes.
    await vm.destroySwitch('xenbr0');
    expect(d.switchList.map((s) => s.name)).to.deep.equal(['xenbr1']);
  });
});
