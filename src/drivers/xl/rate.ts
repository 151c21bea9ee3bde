/**
 * vif rate limits (xl-network-configuration(5), `rate=`). xl stores bytes-per-interval and the interval; we always
 * write the exact form `<bytes>B/s@<us>us`, which its regexes accept without rounding surprises (`<kB>KB/s` above
 * what xl takes as a number).
 */
import { VirtError } from '../../virt/errors.js';
import { DEFAULT_RATE_INTERVAL_US, rateInterval } from '../../virt/spec.js';
import type { Rate } from '../../virt/types.js';
import { validInt } from './validate.js';

export { DEFAULT_RATE_INTERVAL_US };

/** xl reads the number before the K/M/G multiplier as an unsigned long long and refuses it above 2^32 - 1 ("rate overflow"). */
const XL_RATE_NUMBER_MAX = 4_294_967_295;

export function formatRate(rate: Rate): string {
  const { bps, us } = creditedRate(rate);
  return `${bytesPerSecondForXl(bps)}@${us}us`;
}

/** The rate in bytes/s as xl takes it exactly: plain, or in kB/s (decimal, as xl counts) when the number is too large. */
function bytesPerSecondForXl(bps: number): string {
  if (bps <= XL_RATE_NUMBER_MAX) return `${bps}B/s`;
  if (bps % 1000 === 0 && bps / 1000 <= XL_RATE_NUMBER_MAX) return `${bps / 1000}KB/s`;
  throw new VirtError('invalid_argument',
    `a rate of ${bps} bytes/s cannot be given to xl exactly: above ${XL_RATE_NUMBER_MAX} bytes/s it must be a whole number of kilobytes (1000 bytes) per second`);
}

/**
 * The rate and its interval as netback takes them, checked again before they reach xl or xenstore:
 * at least one byte of credit per interval (the model's rule, virt/spec.ts rateInterval).
 */
export function creditedRate(rate: Rate): { bps: number; us: number } {
  const bps = validInt(rate.bytesPerSecond, 'rate (bytes/s)', 1, 1e12);
  const given = rate.intervalUs === undefined ? undefined : validInt(rate.intervalUs, 'rate interval (µs)', 1, 4_294_967_295);
  return { bps, us: rateInterval(bps, given) };
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
