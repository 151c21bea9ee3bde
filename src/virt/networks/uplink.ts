/**
 * Link reservations are admitted against the bandwidth of the host's uplink (the physical
 * interface behind its networks), advertised net of overhead and never over-committed:
 *
 *   advertised = floor(uplink × (1 − UPLINK_OVERHEAD))
 *   admitted when  Σ reservations of every other link of every network + this one ≤ advertised
 *
 * UPLINK_OVERHEAD (5 %) covers what the wire carries besides the guests' frames: Ethernet
 * preamble, inter-frame gap and FCS (24 bytes per frame: 1.6 % at 1500-byte frames), the control
 * domain's own traffic and headroom for bursts. The physical interface is never named outside
 * the driver; only the advertised figure is shown (docs/networks.md).
 */
import { VirtError } from '../errors.js';
import type { StoredNetwork } from './types.js';

export const UPLINK_OVERHEAD = 0.05;

/** The advertised uplink bandwidth, bit/s (0 when the driver cannot tell the raw one). */
export function advertisedUplink(rawBitsPerSecond: number | undefined): number {
  if (!rawBitsPerSecond || !Number.isFinite(rawBitsPerSecond) || rawBitsPerSecond <= 0) return 0;
  return Math.floor(rawBitsPerSecond * (1 - UPLINK_OVERHEAD));
}

/** Σ reservations of every link of every network, but the one being changed. */
export function reservedElsewhere(networks: Iterable<StoredNetwork>, except?: { network: string; link: string }): number {
  let sum = 0;
  for (const n of networks) {
    for (const l of n.links) {
      if (except && n.name === except.network && l.name === except.link) continue;
      sum += l.reservationBitsPerSecond ?? 0;
    }
  }
  return sum;
}

/** Refuses (invalid_argument, with the figures) reservations that would over-commit the uplink. */
export function admitReservations(
  networks: Iterable<StoredNetwork>, adding: readonly { network: string; link: string; reservation: number }[], uplink: number,
): void {
  const wanted = adding.filter((a) => a.reservation > 0);
  if (wanted.length === 0) return;
  const changing = new Set(adding.map((a) => `${a.network}\0${a.link}`));
  let reserved = 0;
  for (const n of networks) for (const l of n.links) if (!changing.has(`${n.name}\0${l.name}`)) reserved += l.reservationBitsPerSecond ?? 0;
  let total = reserved;
  for (const a of wanted) {
    total += a.reservation;
    if (total > uplink) {
      throw new VirtError('invalid_argument',
        `link '${a.link}' of network '${a.network}': a reservation of ${a.reservation} bit/s does not fit the uplink: ` +
        `${uplink} bit/s advertised (net of ${UPLINK_OVERHEAD * 100} % overhead), ${total - a.reservation} bit/s already reserved, ` +
        `${Math.max(0, uplink - (total - a.reservation))} bit/s left`);
    }
  }
}
