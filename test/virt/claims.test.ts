import { expect } from 'chai';
import { VirtError } from '../../src/virt/errors.js';
import { VirtManager } from '../../src/virt/manager.js';
import { StubDriver } from './stub-driver.js';
import { rejects } from '../support/virt-expect.js';

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));
const MAC = '00:16:3e:12:34:56';
const holders = async (vm: VirtManager, mac: string): Promise<string[]> =>
  (await vm.listSystems()).filter((s) => s.config.nics.some((n) => n.mac === mac)).map((s) => s.name);

describe('virt: MACs and UUIDs given by concurrent changes of two systems', () => {
  let d: StubDriver;
  let vm: VirtManager;
  beforeEach(() => {
    d = new StubDriver();
    vm = new VirtManager(d, { pollIntervalMs: 1 });
  });

  it('two concurrent defines with one MAC: the second is refused, only one system has it', async () => {
    const open = d.hold('define');
    const first = vm.defineSystem({ name: 'a', type: 'pv', memoryMiB: 64, vcpus: 1, nics: [{ bridge: 'br0', mac: MAC }] });
    await tick();
    // Each holds only its own system's lock, and neither definition shows the MAC yet.
    const second = vm.defineSystem({ name: 'b', type: 'pv', memoryMiB: 64, vcpus: 1, nics: [{ bridge: 'br0', mac: MAC.toUpperCase() }] });
    await rejects(second, 'conflict', new RegExp(`MAC ${MAC} is already being given to 'a'`));
    open();
    await first;
    expect(await holders(vm, MAC)).to.deep.equal(['a']);
    // Once the first is done, the definitions say who has it.
    await rejects(vm.defineSystem({ name: 'b', type: 'pv', memoryMiB: 64, vcpus: 1, nics: [{ bridge: 'br0', mac: MAC }] }), 'conflict', /already used by 'a'/);
  });

  it('a NIC added to one system while another is defined with its MAC: one of them is refused', async () => {
    d.add({ name: 'a' });
    const open = d.hold('attachInterface');
    const add = vm.changeResources([{ system: 'a', action: 'add_nic', nic: { bridge: 'br0', mac: MAC } }]);
    await tick();
    await rejects(vm.defineSystem({ name: 'b', type: 'pv', memoryMiB: 64, vcpus: 1, nics: [{ bridge: 'br0', mac: MAC }] }), 'conflict', /being given to 'a'/);
    d.add({ name: 'c' });
    await rejects(vm.changeResources([{ system: 'c', action: 'add_nic', nic: { bridge: 'br0', mac: MAC } }]), 'conflict', /being given to 'a'/);
    open();
    await add;
    expect(await holders(vm, MAC)).to.deep.equal(['a']);
  });

  it('one request giving one MAC to two systems is refused before anything changes', async () => {
    d.add({ name: 'a' });
    d.add({ name: 'b' });
    await rejects(vm.changeResources([
      { system: 'a', action: 'add_nic', nic: { bridge: 'br0', mac: MAC } },
      { system: 'b', action: 'add_nic', nic: { bridge: 'br0', mac: MAC } },
    ]), 'conflict', /cannot be given to both 'a' and 'b'/);
    expect(d.calls.filter((c) => c.startsWith('attach'))).to.deep.equal([]);
  });

  it('two concurrent defines with one UUID: the second is refused', async () => {
    const uuid = '12345678-1234-4234-8234-123456789abc';
    const open = d.hold('define');
    const first = vm.defineSystem({ name: 'a', type: 'pv', memoryMiB: 64, vcpus: 1, uuid });
    await tick();
    await rejects(vm.defineSystem({ name: 'b', type: 'pv', memoryMiB: 64, vcpus: 1, uuid: uuid.toUpperCase() }), 'conflict', new RegExp(`UUID ${uuid} is already being given to 'a'`));
    open();
    await first;
  });

  it('a failed define or addition gives its claims back', async () => {
    d.failNext('define', new VirtError('failed', 'disk full'));
    await rejects(vm.defineSystem({ name: 'a', type: 'pv', memoryMiB: 64, vcpus: 1, nics: [{ bridge: 'br0', mac: MAC }] }), 'failed');
    d.add({ name: 'b' });
    await vm.changeResources([{ system: 'b', action: 'add_nic', nic: { bridge: 'br0', mac: MAC } }]);
    expect(await holders(vm, MAC)).to.deep.equal(['b']);
  });
});
