import { expect } from 'chai';
import { circleOrder, layOut } from '../../src/topology/layout.js';
import type { NetworkPicture } from '../../src/virt/networks/types.js';
import { ringPicture } from './pictures.js';

/** The demo's shape: two cores and a backup on a shared switch, an edge linked to both cores. */
function demoLike(): NetworkPicture {
  const sys = (name: string, switches: string[]) => ({ name, state: 'running' as const, priority: 0, interfaces: switches.map((s, i) => ({ mac: `${name}-${i}`, switch: s })) });
  return {
    name: 'demo', state: 'running',
    systems: [sys('core1', ['lan', 'l1']), sys('core2', ['lan', 'l2']), sys('edge', ['l1', 'l2']), sys('backup', ['lan'])],
    switches: [{ name: 'lan', up: true }, { name: 'l1', up: true, link: 'a' }, { name: 'l2', up: true, link: 'b' }],
    links: [
      { name: 'a', switch: 'l1', ends: [{ system: 'core1', mac: 'core1-1' }, { system: 'edge', mac: 'edge-0' }] },
      { name: 'b', switch: 'l2', ends: [{ system: 'core2', mac: 'core2-1' }, { system: 'edge', mac: 'edge-1' }] },
    ],
    uplinkBitsPerSecond: 1e9, reservedBitsPerSecond: 0,
  };
}

describe('topology: layout', () => {
  it('puts linked routers next to each other round the circle; a ring stays a ring', () => {
    expect(circleOrder(demoLike()).map((s) => s.name)).to.deep.equal(['core1', 'edge', 'core2', 'backup']);
    expect(circleOrder(ringPicture(5)).map((s) => s.name)).to.deep.equal(['r1', 'r2', 'r3', 'r4', 'r5']);
  });

  it('keeps every link switch out of the middle, where the shared switch is', () => {
    const p = demoLike();
    // Links right across the circle too: core1 and core2 sit opposite each other.
    p.links.push({ name: 'c', switch: 'l3', ends: [{ system: 'core1', mac: 'x' }, { system: 'core2', mac: 'y' }] });
    p.switches.push({ name: 'l3', up: true, link: 'c' });
    const lay = layOut(p);
    const mid = lay.switches.get('lan')!;
    expect([mid.x, mid.y]).to.deep.equal([lay.centre.x, lay.centre.y]);
    for (const name of ['l1', 'l2', 'l3']) {
      const s = lay.switches.get(name)!;
      expect(Math.hypot(s.x - lay.centre.x, s.y - lay.centre.y), name).to.be.at.least(lay.radius * 0.4 - 0.1);
    }
  });
});
