import { expect } from 'chai';
import { CimError, CimInstanceName } from '../../../src/cim/index.js';
import { computerSystemName } from '../../../src/providers/shared/naming.js';
import { type World as Env, world, emptyDisk, inst, rejects, vssd, waitEnabled } from '../fixture.js';

const TEN_SECONDS = '00000000000010.000000:000';

describe('providers/dsp1057: Xen_ComputerSystem states and RequestStateChange', function () {
  this.timeout(40_000);
  let env: Env;
  const cs = async (name: string) => env.get(computerSystemName(name));
  const devices = async (name: string) => {
    const all = await Promise.all(['Xen_Processor', 'Xen_Memory', 'Xen_LogicalDisk', 'Xen_NetworkPort'].map((c) => env.enumerate(c)));
    return all.flat().filter((d) => d.get('SystemName') === name);
  };
  const jobDone = async (ref: CimInstanceName) => {
    const job = env.jobs.get(ref.keyString('InstanceID')!);
    expect(job, 'job known to the JobManager').to.not.equal(undefined);
    await job!.done;
    return job!;
  };

  before(async () => {
    env = await world();
    await env.call('DefineSystem', {
      SystemSettings: vssd({ VirtualSystemIdentifier: 'g', VirtualSystemType: 'Xen', Kernel: '/boot/vmlinuz' }),
      ResourceSettings: [
        inst('Xen_ProcResourceAllocationSettingData', { VirtualQuantity: 2 }),
        inst('Xen_MemResourceAllocationSettingData', { VirtualQuantity: 256 }),
        inst('Xen_DiskResourceAllocationSettingData', { VirtualDevice: 'xvda', Address: emptyDisk(env, 'g') }),
        inst('Xen_NetResourceAllocationSettingData', { NetworkName: 'xenbr0', Limit: 1_000_000 }),
      ],
    });
  });
  after(async () => env.close());

  it('advertises exactly the states RequestStateChange implements', async () => {
    const elec = await env.get(CimInstanceName.of('Xen_EnabledLogicalElementCapabilities', { InstanceID: 'g' }));
    expect(elec.get('RequestedStatesSupported')).to.deep.equal([2, 3, 4, 6, 9, 10, 11]);
    expect(elec.get('ElementNameEditSupported')).to.equal(true);
    expect(elec.get('MaxElementNameLen')).to.equal(64);
    const c = await cs('g');
    expect(c.get('AvailableRequestedStates'), 'DSP1057: Quiesce only from Active').to.deep.equal([2]);
    expect(c.get('OperationalStatus')).to.deep.equal([15]);
    expect(await devices('g')).to.deep.equal([]);
  });

  it('walks every transition: 4097 where the state table refuses, jobs for the long ones', async () => {
    // Already there: a success with nothing done (DSP1057 §8.1), the request recorded.
    expect((await env.rsc('g', 3)).returnValue, 'Disabled while defined').to.equal(0);
    expect((await env.rsc('g', 4)).returnValue, 'Shut Down while defined').to.equal(0);
    expect((await cs('g')).get('RequestedState')).to.equal(4);
    expect(env.jobs.list().filter((j) => j.target === 'g'), 'nothing was started').to.deep.equal([]);

    expect((await env.rsc('g', 2)).returnValue).to.equal(0);
    let c = await cs('g');
    expect([c.get('EnabledState'), c.get('RequestedState'), c.get('HealthState')]).to.deep.equal([2, 2, 5]);
    expect(c.get('TimeOfLastStateChange')).to.not.equal(null);
    const devs = await devices('g');
    expect(devs.map((d) => d.get('DeviceID')).sort()).to.deep.equal(['g/0', 'g/1', 'g/mem', 'g/xvda', (await env.virt.getSystem('g')).config.nics[0]!.mac].map((x) => (x.includes('/') ? x : `g/${x}`)).sort());
    const port = devs.find((d) => d.className === 'Xen_NetworkPort')!;
    expect(port.get('Speed')).to.equal(1_000_000);
    expect((await env.rsc('g', 2)).returnValue, 'Enabled while enabled').to.equal(0);

    expect((await env.rsc('g', 9)).returnValue).to.equal(0);
    c = await cs('g');
    expect([c.get('EnabledState'), c.get('RequestedState')]).to.deep.equal([9, 9]);
    expect((await env.rsc('g', 4)).returnValue, 'clean shutdown of a paused guest').to.equal(4097);
    expect((await env.rsc('g', 10)).returnValue, 'reboot of a paused guest').to.equal(4097);
    expect((await env.rsc('g', 2)).returnValue, 'unpause').to.equal(0);
    expect((await cs('g')).get('EnabledState')).to.equal(2);

    expect((await env.rsc('g', 10)).returnValue).to.equal(0);
    await waitEnabled(env, 'g', 2);
    expect((await env.rsc('g', 11)).returnValue).to.equal(0);
    await waitEnabled(env, 'g', 2);

    // Save to disk: a long operation, a job unless a timeout says to wait.
    const save = await env.rsc('g', 6);
    expect(save.returnValue).to.equal(4096);
    const saveJob = await jobDone(save.out!['Job'] as CimInstanceName);
    expect(saveJob.state).to.equal('completed');
    c = await cs('g');
    expect([c.get('EnabledState'), c.get('RequestedState'), c.get('OperationalStatus')]).to.deep.equal([6, 6, [10]]);
    expect(c.get('AvailableRequestedStates')).to.deep.equal([2, 3]);
    expect(await devices('g'), 'a saved system has no devices').to.deep.equal([]);
    expect((await env.rsc('g', 9)).returnValue, 'pause while saved').to.equal(4097);

    // Restore, waiting up to 10 s: completes within it.
    expect((await env.rsc('g', 2, TEN_SECONDS)).returnValue).to.equal(0);
    expect((await cs('g')).get('EnabledState')).to.equal(2);

    // Clean shutdown without a timeout: a job.
    const down = await env.rsc('g', 4);
    expect(down.returnValue).to.equal(4096);
    expect((await cs('g')).get('RequestedState')).to.equal(4);
    await jobDone(down.out!['Job'] as CimInstanceName);
    expect((await cs('g')).get('EnabledState')).to.equal(3);

    // Shutdown with a timeout shorter than the guest takes: a job again, which finishes later.
    expect((await env.rsc('g', 2)).returnValue).to.equal(0);
    const slow = await env.rsc('g', 4, '00000000000000.010000:000');
    expect(slow.returnValue).to.equal(4096);
    await jobDone(slow.out!['Job'] as CimInstanceName);
    expect((await cs('g')).get('EnabledState')).to.equal(3);

    // Hard stop.
    expect((await env.rsc('g', 2)).returnValue).to.equal(0);
    expect((await env.rsc('g', 3)).returnValue).to.equal(0);
    c = await cs('g');
    expect([c.get('EnabledState'), c.get('RequestedState')]).to.deep.equal([3, 3]);
  });

  it('answers unsupported and invalid requests with their return codes', async () => {
    expect((await env.rsc('g', 7)).returnValue, '7 Test').to.equal(1);
    expect((await env.rsc('g', 8)).returnValue, '8 Defer').to.equal(1);
    expect((await env.rsc('g', 12)).returnValue, '12 is not a request').to.equal(5);
    // A missing RequestedState is the method's 5 Invalid Parameter; one that is not a number never
    // reaches the provider: operations/ types it through the declaration (uint16).
    expect((await env.extrinsic(computerSystemName('g'), 'RequestStateChange', [])).returnValue).to.equal(5);
    await rejects(env.extrinsic(computerSystemName('g'), 'RequestStateChange', [{ name: 'RequestedState', value: 'x', untyped: true }]), 'CIM_ERR_INVALID_PARAMETER', /RequestedState/);
    expect((await env.rsc('g', 2, '20240101000000.000000+000')).returnValue, 'a timestamp is no timeout').to.equal(5);
    // A month is waited for (at most as long as a timer can wait): the start completes within it.
    expect((await env.rsc('g', 2, '00000030000000.000000:000')).returnValue, 'a 30-day TimeoutPeriod').to.equal(0);
    expect((await env.rsc('g', 3, '99999999235959.999999:000')).returnValue, 'the longest TimeoutPeriod').to.equal(0);
    expect((await cs('g')).get('EnabledState')).to.equal(3);
    const e = await env.rsc('ghost', 2).catch((err: unknown) => err);
    expect(e).to.be.instanceOf(CimError).with.property('statusName', 'CIM_ERR_NOT_FOUND');
  });

  it('refuses to start what admission control cannot guarantee, with the figures', async () => {
    const cap = await env.virt.capacity();
    const size = Math.floor(cap.memory.availableMiB / 2) + 1024;
    for (const n of ['big1', 'big2']) {
      await env.call('DefineSystem', {
        SystemSettings: vssd({ VirtualSystemIdentifier: n, Kernel: '/boot/vmlinuz' }),
        ResourceSettings: [inst('Xen_MemResourceAllocationSettingData', { VirtualQuantity: size })],
      });
    }
    expect((await env.rsc('big1', 2)).returnValue).to.equal(0);
    const e = await env.rsc('big2', 2).catch((err: unknown) => err);
    expect(e).to.be.instanceOf(CimError);
    expect((e as CimError).description).to.match(/insufficient resources/);
    expect((await cs('big2')).get('EnabledState')).to.equal(3);
    expect((await cs('big2')).get('RequestedState')).to.equal(12);
    expect((await env.rsc('big1', 3)).returnValue).to.equal(0);
  });
});
