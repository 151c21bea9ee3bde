import { expect } from 'chai';
import { XMLValidator } from 'fast-xml-parser';
import { renderNetworkSvg } from '../../src/topology/index.js';
import type { NetworkPicture } from '../../src/virt/networks/types.js';
import { ringPicture } from './pictures.js';

/** Every element with a class attribute of exactly `cls` (the renderer's own markup, one per line). */
function elements(svg: string, cls: string): string[] {
  return svg.match(new RegExp(`<g class="${cls}"[^>]*>`, 'g')) ?? [];
}
function attr(el: string, name: string): string | undefined {
  return new RegExp(` ${name}="([^"]*)"`).exec(el)?.[1];
}

describe('topology: SVG drawing', () => {
  it('draws one element per router, switch and link, named and with their state', () => {
    const svg = renderNetworkSvg(ringPicture(4));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).to.equal(true);
    expect(svg.trimEnd().endsWith('</svg>')).to.equal(true);
    const routers = elements(svg, 'router');
    expect(routers.map((r) => attr(r, 'data-name'))).to.deep.equal(['r1', 'r2', 'r3', 'r4']);
    expect(routers.map((r) => attr(r, 'data-state'))).to.deep.equal(['running', 'paused', 'suspended', 'stopped']);
    expect(elements(svg, 'switch').map((s) => attr(s, 'data-name'))).to.have.members(['core', 'xlink1', 'xlink2', 'xlink3', 'xlink4']);
    const links = elements(svg, 'link');
    expect(links.map((l) => attr(l, 'data-name'))).to.deep.equal(['l1', 'l2', 'l3', 'l4']);
    // Only r1 runs: no link has both ends running.
    expect(links.map((l) => attr(l, 'data-state'))).to.deep.equal(['down', 'down', 'down', 'down']);
    expect(attr(links[0]!, 'data-limit')).to.equal('100000000');
    expect(attr(links[0]!, 'data-reservation')).to.equal('10000000');
    expect(attr(links[1]!, 'data-reservation')).to.equal('');
    // The names and figures are drawn as text, not only carried in attributes.
    expect(svg).to.include('>r3</text>');
    expect(svg).to.include('>l2</tspan>');
    expect(svg).to.include('>100 Mbit/s · ≥10 Mbit/s</tspan>');
    expect(svg).to.include('>paused</text>');
    expect(svg).to.match(/uplink · 9\.5 Gbit\/s advertised · 20 Mbit\/s reserved \(0\.2%\)/);
  });

  it('colours routers by state and draws a link up only when both ends run and its switch is up', () => {
    const p = ringPicture(3);
    for (const s of p.systems) s.state = 'running';
    p.switches.find((s) => s.name === 'xlink2')!.up = false;
    const svg = renderNetworkSvg(p);
    expect(elements(svg, 'link').map((l) => attr(l, 'data-state'))).to.deep.equal(['up', 'down', 'up']);
    const fills = [...svg.matchAll(/<circle cx="[^"]+" cy="[^"]+" r="17" fill="([^"]+)"/g)].map((m) => m[1]);
    expect(fills).to.deep.equal(['#2e7d32', '#2e7d32', '#2e7d32']);
    const paused = renderNetworkSvg({ ...p, systems: p.systems.map((s) => ({ ...s, state: 'paused' as const })) });
    expect([...paused.matchAll(/r="17" fill="([^"]+)"/g)].map((m) => m[1])).to.deep.equal(['#ef8f00', '#ef8f00', '#ef8f00']);
  });

  it('escapes hostile names everywhere they appear, and drops characters XML cannot carry', () => {
    const evil = '<script>alert("x")</script>&\'\u0001';
    const p: NetworkPicture = {
      name: evil, state: 'running',
      systems: [
        { name: evil, state: 'running', priority: 0, interfaces: [{ mac: '00:16:3e:00:00:01', switch: '"><img src=x onerror=alert(1)>' }] },
        { name: 'b', state: 'running', priority: 0, interfaces: [] },
      ],
      switches: [{ name: '"><img src=x onerror=alert(1)>', up: true }],
      links: [{ name: '</text><script>1</script>', switch: 'sw&', ends: [{ system: evil, mac: 'a' }, { system: 'b', mac: 'b' }] }],
      uplinkBitsPerSecond: 1e9, reservedBitsPerSecond: 0,
    };
    const svg = renderNetworkSvg(p);
    expect(svg).to.not.match(/<script|<img|\u0001/);
    expect(svg).to.include('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;\ufffd');
    expect(svg).to.include('data-name="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
    // Still one element of each: the markup was not broken open.
    expect(elements(svg, 'router')).to.have.length(2);
    expect(elements(svg, 'link')).to.have.length(1);
    expect(elements(svg, 'switch')).to.have.length(2);
    expect(svg).to.not.match(/&(?!amp;|lt;|gt;|quot;|#39;)/);
    expect(XMLValidator.validate(svg)).to.equal(true);
  });

  it('never names the physical side: the uplink is shown by its bandwidth only', () => {
    const svg = renderNetworkSvg(ringPicture(3));
    expect(svg).to.not.match(/eth\d|enp|xenbr|\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/);
    expect(svg).to.match(/<g class="uplink" data-bandwidth="9500000000" data-reserved="20000000">/);
  });

  it('keeps 100 routers apart, and is deterministic', () => {
    const p = ringPicture(100);
    const svg = renderNetworkSvg(p);
    expect(renderNetworkSvg(p)).to.equal(svg);
    expect(XMLValidator.validate(svg)).to.equal(true);
    expect(elements(svg, 'router')).to.have.length(100);
    expect(elements(svg, 'link')).to.have.length(100);
    const centres = [...svg.matchAll(/<circle cx="([^"]+)" cy="([^"]+)" r="17"/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
    let nearest = Infinity;
    for (let i = 0; i < centres.length; i++) {
      for (let j = i + 1; j < centres.length; j++) nearest = Math.min(nearest, Math.hypot(centres[i]![0] - centres[j]![0], centres[i]![1] - centres[j]![1]));
    }
    expect(nearest).to.be.greaterThan(2 * 17 + 10);
  });

  it('draws small networks: two routers with one link, and none at all', () => {
    const two = renderNetworkSvg(ringPicture(2));
    expect(elements(two, 'router')).to.have.length(2);
    expect(elements(two, 'link')).to.have.length(1);
    const empty = renderNetworkSvg({ name: 'nothing', state: 'empty', systems: [], switches: [], links: [], uplinkBitsPerSecond: 0, reservedBitsPerSecond: 0 });
    expect(elements(empty, 'router')).to.have.length(0);
    expect(empty).to.include('uplink · 0 bit/s advertised');
  });

  it('shows a switch an interface is on outside the network, marked as such', () => {
    const p = ringPicture(2);
    p.systems[0]!.interfaces.push({ mac: '00:16:3e:aa:00:01', switch: 'elsewhere' });
    const sw = elements(renderNetworkSvg(p), 'switch').find((s) => attr(s, 'data-name') === 'elsewhere');
    expect(attr(sw!, 'data-kind')).to.equal('outside');
  });
});
