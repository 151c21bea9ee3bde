/**
 * Xen_VirtualNetwork.RequestStateChange: 9 parks the whole network paused, 6 saved, 2 launches
 * it, 3 stops it; each runs as one Xen_ConcreteJob (4096) whose PercentComplete moves as the
 * routers come up, affecting the network; 0 when the network is already there; a member that
 * fails makes the job an Exception whose ErrorDescription names it.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { CimInstanceName } from '../../../src/cim/index.js';
import { computerSystemName } from '../../../src/providers/shared/naming.js';
import { networkName } from '../../../src/providers/xen-virtual-network/names.js';
import { VIRT_NS } from '../../../src/providers/index.js';
import { type World, admin, associatorNames, world } from '../fixture.js';
import { callService, link, routers } from './helpers.js';

describe('providers/xen-virtual-network: whole-network RequestStateChange', function () {
  this.timeout(60_000);
  let w: World;
  const rsc = async (code: number) => {
    const r = await w.extrinsic(networkName('lab'), 'RequestStateChange', [{ name: 'RequestedState', value: code }]);
    return { rc: r.returnValue, job: r.out.find((o) => o.name === 'Job')?.value as CimInstanceName | undefined };
  };
  const enabled = async () => (await w.get(networkName('lab'))).get('EnabledState');
  const finish = async (job: CimInstanceName) => w.jobs.get(job.keyString('InstanceID')!)!.done.catch(() => undefined);
  const faults = (rules: unknown[]) => writeFileSync(path.join(w.dir, 'xl-sim', 'faults.json'), JSON.stringify({ rules }));

  beforeEach(async () => {
    w = await world();
    await routers(w);
    const r = await callService(w, 'DefineNetwork', {
      NetworkName: 'lab',
      Routers: [computerSystemName('r1'), computerSystemName('r2'), computerSystemName('r3')],
      RouterPriorities: [10, 0, 0],
      Links: [link('l1', ['r1', 'r2']), link('l2', ['r2', 'r3'])],
    });
    expect(r.returnValue).to.equal(0);
  });
  afterEach(() => w.close());

  it('parks paused (9), launches (2) with PercentComplete moving, answers 0 when already there, stops (3)', async () => {
    expect(await enabled(), 'stopped').to.equal(3);
    const park = await rsc(9);
    expect(park.rc).to.equal(4096);
    await finish(park.job!);
    expect(await enabled(), 'parked paused').to.equal(9);
    expect((await w.virt.listSystems()).every((s) => s.state === 'paused')).to.equal(true);
    expect((await rsc(9)).rc, 'already parked').to.equal(0);

    faults([{ command: 'unpause', mode: 'slow', delay_ms: 400, count: -1 }]);
    const launch = await rsc(2);
    expect(launch.rc).to.equal(4096);
    expect((await rsc(3)).rc, 'a second whole-network change while one runs: 4099 Busy').to.equal(4099);
    const affected = await associatorNames(w, launch.job!, 'root/virt', { AssocClass: 'Xen_AffectedJobElement' });
    expect(affected.map((n) => n.local().identity())).to.include(networkName('lab').identity());
    const seen: number[] = [];
    for (;;) {
      const job = await w.get(launch.job!);
      seen.push(job.get('PercentComplete') as number);
      if (job.get('JobState') !== 4 && job.get('JobState') !== 2) {
        expect(job.get('JobState'), String(job.get('ErrorDescription'))).to.equal(7);
        break;
      }
      await new Promise((r) => setTimeout(r, 60));
    }
    expect(seen.some((p) => p > 0 && p < 100), `progress seen: ${seen.join(',')}`).to.equal(true);
    expect(seen, 'never goes back').to.deep.equal([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).to.equal(100);
    expect(await enabled(), 'launched').to.equal(2);
    faults([]);

    const stop = await rsc(3);
    expect(stop.rc).to.equal(4096);
    await finish(stop.job!);
    expect(await enabled(), 'stopped').to.equal(3);
  });

  it('a member that fails: the job is an Exception naming it; the others reach the state', async () => {
    faults([{ command: 'create', mode: 'fail', count: 1 }]);
    const launch = await rsc(2);
    expect(launch.rc).to.equal(4096);
    await finish(launch.job!);
    const job = await w.get(launch.job!);
    expect(job.get('JobState')).to.equal(10);
    expect(String(job.get('ErrorDescription'))).to.match(/^1 of 3 members of network 'lab' did not reach running: r1 \(defined: /);
    const net = await w.get(networkName('lab'));
    expect(net.get('EnabledState'), 'mixed').to.equal(1);
    expect(String(net.get('OtherEnabledState'))).to.match(/mixed: .*running/);
    const err = await w.extrinsic(launch.job!, 'GetError', []);
    expect(err.out.find((o) => o.name === 'Error')?.value).to.not.equal(null);
  });

  it('with a TimeoutPeriod the call waits: 0 when every router got there, 4 Failed with the job when one did not', async () => {
    const wait = (code: number) => w.extrinsic(networkName('lab'), 'RequestStateChange', [
      { name: 'RequestedState', value: code }, { name: 'TimeoutPeriod', value: '00000000000030.000000:000' },
    ]);
    expect((await wait(9)).returnValue).to.equal(0);
    expect(await enabled()).to.equal(9);
    faults([{ command: 'unpause', mode: 'fail', count: 1 }]);
    const r = await wait(2);
    expect(r.returnValue).to.equal(4);
    const job = await w.get(r.out.find((o) => o.name === 'Job')!.value as CimInstanceName);
    expect(String(job.get('ErrorDescription'))).to.match(/^1 of 3 members of network 'lab' did not reach running: r1 \(paused: /);
  });

  it('a TimeoutPeriod longer than the request may last: at the request\'s deadline the call answers 4096 with the job', async () => {
    const park = await rsc(9);
    if (park.job) await finish(park.job);
    faults([{ command: 'unpause', mode: 'slow', delay_ms: 1500 }]);
    // The HTTP layer aborts the request's signal at its deadline (120 s by default): here after 150 ms.
    const deadline = new AbortController();
    setTimeout(() => deadline.abort(new Error('request timed out')), 150);
    const t0 = Date.now();
    const r = await w.ops.extrinsic({
      kind: 'extrinsic', messageId: '1', protocolVersion: '1.0', namespace: VIRT_NS, method: 'RequestStateChange', target: networkName('lab'),
      params: [{ name: 'RequestedState', value: 2 }, { name: 'TimeoutPeriod', value: '00000001000000.000000:000' }],
    }, admin, deadline.signal);
    expect(Date.now() - t0, 'answered at the deadline, not after the routers').to.be.below(1200);
    expect(r.returnValue).to.equal(4096);
    await finish(r.out.find((o) => o.name === 'Job')!.value as CimInstanceName);
    expect(await enabled()).to.equal(2);
  });

  it('refuses what is no whole-network state: 4 Shut Down is 1 Not Supported, 42 is 5 Invalid Parameter', async () => {
    expect((await rsc(4)).rc).to.equal(1);
    expect((await rsc(42)).rc).to.equal(5);
    expect(await enabled()).to.equal(3);
  });
});
