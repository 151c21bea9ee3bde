/**
 * Classes with instances per virtual system stream them (shared/systems.ts perSystem): what a
 * streamed EnumerateInstances yields, batch by batch, is exactly what the whole enumeration
 * gives, in the same order, for a class and its subclasses.
 */
import { expect } from 'chai';
import { SYSTEMS_PER_BATCH } from '../../../src/providers/shared/systems.js';
import { type World, admin, cn, req, seed, world } from '../fixture.js';

describe('providers: streamed enumerations give what whole ones give', function () {
  this.timeout(60_000);
  let w: World;
  before(async () => {
    w = await world();
    await seed(w);
    for (let i = 0; i < SYSTEMS_PER_BATCH + 6; i++) {
      await w.virt.defineSystem({ name: `s${i}`, type: 'pv', memoryMiB: 64, vcpus: 1, boot: { kernel: '/k' }, nics: [{ bridge: 'xenbr0' }] });
    }
  });
  after(() => w.close());

  for (const className of ['CIM_ResourceAllocationSettingData', 'Xen_ComputerSystem', 'CIM_LogicalDevice', 'Xen_VirtualSystemSettingData', 'Xen_HostedDependency']) {
    it(`${className}: same instances, same order, in more than one batch`, async () => {
      const params = { ClassName: cn(className) };
      const whole = await w.ops.intrinsic(req('EnumerateInstances', params), admin);
      const streamed = await w.ops.intrinsic(req('EnumerateInstances', params), admin, undefined, true);
      if (whole.result.kind !== 'namedInstances' || streamed.result.kind !== 'namedInstanceStream') throw new Error('unexpected result kinds');
      const batches: string[][] = [];
      for await (const b of streamed.result.batches) batches.push(b.map((i) => i.path!.toString()));
      expect(batches.flat()).to.deep.equal(whole.result.instances.map((i) => i.path!.toString()));
      expect(batches.filter((b) => b.length > 0).length).to.be.greaterThan(1);
    });
  }
});
