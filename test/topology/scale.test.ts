import { expect } from 'chai';
import { renderNetworkSvg, renderNetworkText } from '../../src/topology/index.js';
import type { NetworkPicture } from '../../src/virt/networks/types.js';
import { mac } from './pictures.js';

/**
 * A large mesh: `n` routers, `links` links (each its own switch), every router also on the
 * shared switch "core"; or a star (every link from r0).
 */
function mesh(n: number, links: number, star = false): NetworkPicture {
  const systems = Array.from({ length: n }, (_, i) => ({
    name: `r${i}`, state: 'running' as const, priority: 0, interfaces: [{ mac: mac(i % 256, 255), switch: 'core' }],
  }));
  const out: NetworkPicture['links'] = [];
  for (let k = 0; k < links; k++) {
    const a = star ? 0 : k % n;
    const b = star ? 1 + (k % (n - 1)) : (a + 1 + (k % (n - 1))) % n;
    const ends = [{ system: `r${a}`, mac: `a-${k}` }, { system: `r${b}`, mac: `b-${k}` }] as NetworkPicture['links'][number]['ends'];
    out.push({ name: `l${k}`, switch: `vl${k}`, ends, limitBitsPerSecond: 1e8 });
    systems[a]!.interfaces.push({ mac: ends[0].mac, switch: `vl${k}` });
    systems[b]!.interfaces.push({ mac: ends[1].mac, switch: `vl${k}` });
  }
  return {
    name: 'big', state: 'running', systems,
    switches: [{ name: 'core', up: true }, ...out.map((l) => ({ name: l.switch, up: true, link: l.name }))],
    links: out, uplinkBitsPerSecond: 1e10, reservedBitsPerSecond: 0,
  };
}

/** The picture with its lists (and each router's interfaces) counting how often an element is read. */
function counted(p: NetworkPicture): { picture: NetworkPicture; reads: () => number } {
  let reads = 0;
  const watch = <T extends object>(list: T[]): T[] => new Proxy(list, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  const picture: NetworkPicture = {
    ...p,
    systems: watch(p.systems.map((s) => ({ ...s, interfaces: watch(s.interfaces) }))),
    switches: watch(p.switches),
    links: watch(p.links),
  };
  return { picture, reads: () => reads };
}

/** Elements in the picture: routers, their interfaces, switches and links. */
function size(p: NetworkPicture): number {
  return p.systems.length + p.systems.reduce((s, r) => s + r.interfaces.length, 0) + p.switches.length + p.links.length;
}

describe('topology: large networks', () => {
  // Counted, not timed: a drawing of N elements reads each a bounded number of times, so the
  // server's event loop is not held for seconds by a network of hundreds of routers and links.
  for (const [what, p] of [['a mesh of 400 routers and 1600 links', mesh(400, 1600)], ['a star of 1600 links', mesh(400, 1600, true)]] as const) {
    it(`draws ${what} reading each element a bounded number of times (SVG)`, () => {
      const c = counted(p);
      renderNetworkSvg(c.picture);
      expect(c.reads() / size(p)).to.be.below(20);
    });

    it(`prints ${what} reading each element a bounded number of times (text)`, () => {
      const c = counted(p);
      renderNetworkText(c.picture);
      expect(c.reads() / size(p)).to.be.below(20);
    });
  }

  it('draws and prints the same as before for a large network (link states, switch ports)', () => {
    const p = mesh(30, 60);
    p.systems[3]!.state = 'paused';
    p.switches.find((s) => s.name === 'vl7')!.up = false;
    const svg = renderNetworkSvg(p);
    const state = (link: string) => new RegExp(`<g class="link" data-name="${link}" data-state="(\\w+)"`).exec(svg)?.[1];
    expect(state('l7')).to.equal('down');      // its switch is down
    expect(state('l3')).to.equal('down');      // r3 is paused
    expect(state('l4')).to.equal('up');
    const text = renderNetworkText(p);
    expect(text).to.match(/^ {2}vl0 +link l0 +up +r0, r1$/m);
    expect(text).to.match(/^ {2}core +shared +up +r0, r1, r2, .*r29$/m);
  });
});
