/** Network pictures built by hand for the renderer's tests: a ring of routers, a shared switch, one outside. */
import type { NetworkPicture } from '../../src/virt/networks/types.js';
import type { SystemState } from '../../src/virt/states.js';

const STATES: SystemState[] = ['running', 'paused', 'suspended', 'defined'];

export function mac(i: number, j: number): string {
  return `00:16:3e:00:${i.toString(16).padStart(2, '0')}:${j.toString(16).padStart(2, '0')}`;
}

/**
 * `n` routers r1..rn in a ring of n links l1..ln (ri ↔ ri+1), every router also on the shared
 * switch "core"; router states cycle running, paused, suspended, stopped.
 */
export function ringPicture(n: number, name = 'demo'): NetworkPicture {
  const routers = Array.from({ length: n }, (_, i) => `r${i + 1}`);
  const links = n < 2 ? [] : routers.map((r, i) => {
    const next = (i + 1) % n;
    return {
      name: `l${i + 1}`, switch: `xlink${i + 1}`,
      ends: [{ system: r, mac: mac(i + 1, 1) }, { system: routers[next]!, mac: mac(next + 1, 2) }] as [{ system: string; mac: string }, { system: string; mac: string }],
      limitBitsPerSecond: 100_000_000 * (i + 1),
      ...(i % 2 === 0 ? { reservationBitsPerSecond: 10_000_000 } : {}),
    };
  }).slice(0, n === 2 ? 1 : n);
  return {
    name,
    state: 'mixed',
    systems: routers.map((r, i) => ({
      name: r, state: STATES[i % STATES.length]!, priority: i % 3,
      interfaces: [
        { mac: mac(i + 1, 0), switch: 'core' },
        ...links.flatMap((l) => l.ends.filter((e) => e.system === r).map((e) => ({ mac: e.mac, switch: l.switch, limitBitsPerSecond: l.limitBitsPerSecond }))),
      ],
    })),
    switches: [{ name: 'core', up: true }, ...links.map((l) => ({ name: l.switch, up: true, link: l.name }))],
    links,
    uplinkBitsPerSecond: 9_500_000_000,
    reservedBitsPerSecond: links.reduce((s, l) => s + (l.reservationBitsPerSecond ?? 0), 0),
  };
}
