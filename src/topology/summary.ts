/** Facts a drawing and its text form derive from a picture the same way. */
import type { NetworkPicture } from '../virt/networks/types.js';

export type LinkState = 'up' | 'down';

/** A link carries traffic when its switch is up and both its routers run. */
export function linkState(p: NetworkPicture, link: NetworkPicture['links'][number]): LinkState {
  const sw = p.switches.find((s) => s.name === link.switch);
  if (sw && !sw.up) return 'down';
  const running = (name: string) => p.systems.find((s) => s.name === name)?.state === 'running';
  return running(link.ends[0].system) && running(link.ends[1].system) ? 'up' : 'down';
}

/** Reserved share of the uplink, 0..1 (0 without an uplink figure). */
export function reservedShare(p: NetworkPicture): number {
  return p.uplinkBitsPerSecond > 0 ? p.reservedBitsPerSecond / p.uplinkBitsPerSecond : 0;
}
