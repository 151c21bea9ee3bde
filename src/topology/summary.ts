/** Facts a drawing and its text form derive from a picture the same way. */
import type { NetworkPicture } from '../virt/networks/types.js';

export type LinkState = 'up' | 'down';

interface Index { up: Map<string, boolean>; running: Set<string> }

/** Switch and router facts by name, made once per picture: a lookup per link would make a drawing quadratic. */
const indexes = new WeakMap<NetworkPicture, Index>();

function indexOf(p: NetworkPicture): Index {
  let ix = indexes.get(p);
  if (!ix) {
    const up = new Map<string, boolean>();
    // The first of a name counts, as a search would find it.
    for (const s of p.switches) if (!up.has(s.name)) up.set(s.name, s.up);
    const seen = new Set<string>();
    const running = new Set<string>();
    for (const s of p.systems) {
      if (seen.has(s.name)) continue;
      seen.add(s.name);
      if (s.state === 'running') running.add(s.name);
    }
    ix = { up, running };
    indexes.set(p, ix);
  }
  return ix;
}

/** A link carries traffic when its switch is up and both its routers run. */
export function linkState(p: NetworkPicture, link: NetworkPicture['links'][number]): LinkState {
  const { up, running } = indexOf(p);
  if (up.get(link.switch) === false) return 'down';
  return running.has(link.ends[0].system) && running.has(link.ends[1].system) ? 'up' : 'down';
}

/** Reserved share of the uplink, 0..1 (0 without an uplink figure). */
export function reservedShare(p: NetworkPicture): number {
  return p.uplinkBitsPerSecond > 0 ? p.reservedBitsPerSecond / p.uplinkBitsPerSecond : 0;
}
