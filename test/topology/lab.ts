/** The network the HTTP and browser tests look at, defined in the model of a running application. */
import type { AppServer } from '../support/app-server.js';

/** Three routers in a network "lab": two links, one shared switch; r2 running. (Hostile names: svg.test.ts.) */
export async function defineLab(app: AppServer): Promise<void> {
  const virt = app.server.virt;
  for (const name of ['r1', 'r2', 'r3']) {
    await virt.defineSystem({
      name, type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/boot/vmlinuz' },
      disks: [{ target: `/var/lib/xen/images/${name}.img`, vdev: 'xvda' }], nics: [{ bridge: 'xenbr1' }],
    });
  }
  await virt.networks.define({
    name: 'lab',
    members: [{ system: 'r1', priority: 2 }, { system: 'r2' }, { system: 'r3' }],
    switches: ['xenbr1'],
    links: [
      { name: 'r1-r2', ends: [{ system: 'r1' }, { system: 'r2' }], limitBitsPerSecond: 100_000_000, reservationBitsPerSecond: 20_000_000 },
      { name: 'b', ends: [{ system: 'r2' }, { system: 'r3' }], limitBitsPerSecond: 1_000_000_000 },
    ],
  });
  await virt.requestState('r2', 'running');
}
