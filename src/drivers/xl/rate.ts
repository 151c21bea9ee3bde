/**
 * vif rate limits (xl-network-configuration(5), `rate=`). xl stores bytes-per-interval and the interval; we always
 * write the exact form `<bytes>B/s@<us>us`, which its regexes accept without rounding surprises.
 */
import { VirtError } from '../../virt/errors.js';
import type { Rate } from '../../virt/types.js';
import { validInt } from './validate.js';

export const DEFAULT_RATE_INTERVAL_US = 50_000;

export function formatRate(rate: Rate): string {
  const { bps, us } = creditedRate(rate);
  return `${bps}B/s@${us}us`;
}

/**
 * The rate and its interval, giving netback at least one byte of credit per interval (with none it
 * passes nothing once its first burst is spent). Without an interval of its own, a slow rate (under
 * 20 bytes/s at the default 50 ms) gets the shortest interval that holds one byte; an interval given
 * too short for the rate is refused.
 */
export function creditedRate(rate: Rate): { bps: number; us: number } {
  const bps = validInt(rate.bytesPerSecond, 'rate (bytes/s)', 1, 1e12);
  const us = rate.intervalUs === undefined
    ? Math.max(DEFAULT_RATE_INTERVAL_US, Math.ceil(1e6 / bps))
    : validInt(rate.intervalUs, 'rate interval (µs)', 1, 4_294_967_295);
  if (Math.floor((bps * us) / 1e6) < 1) throw new VirtError('invalid_argument', `a rate of ${bps} bytes/s gives no credit in ${us} µs; use a longer interval`);
  return { bps, us };
}

/** bytes/s = bytes_per_interval × 10^6 / interval_us */
export function rateFromXl(bytesPerInterval: number, intervalUs: number): Rate {
  return { bytesPerSecond: Math.round((bytesPerInterval * 1e6) / intervalUs), intervalUs };
}

/** Parse xl's own rate syntax (`10Mb/s@20ms`), e.g. from an adopted cfg. */
export function parseRateSpec(spec: string): Rate | undefined {
  const [r, i] = spec.split('@');
  const m = /^([0-9]+)([GMK]?)([Bb])\/s$/.exec(r ?? '');
  if (!m) return undefined;
  const mult = { G: 1e9, M: 1e6, K: 1e3, '': 1 }[m[2] as 'G' | 'M' | 'K' | ''];
  let bytesPerSecond = Number(m[1]) * mult;
  if (m[3] === 'b') bytesPerSecond /= 8;
  let intervalUs = DEFAULT_RATE_INTERVAL_US;
  if (i !== undefined) {
    const im = /^([0-9]+)([mu]?)s?$/.exec(i);
    if (!im) return undefined;
    intervalUs = Number(im[1]) * (im[2] === 'm' ? 1000 : im[2] === 'u' ? 1 : 1e6);
  }
  return { bytesPerSecond: Math.floor(bytesPerSecond), intervalUs };
}
