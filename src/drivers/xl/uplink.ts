/**
 * The uplink's raw speed: the physical interface behind the host's bridges (`uplinkInterface`,
 * eth0 by default) as `ethtool <if>` reports it (`Speed: 10000Mb/s`; `Unknown!` when the link is
 * down or the driver cannot tell). Only the figure goes up to virt, which advertises it net of
 * overhead (virt/networks/uplink.ts); the interface's name never leaves the driver. Read once a
 * minute at most; a failure means "unknown" (reservations are then refused), never an error.
 */
import type { XlExecutor } from './runner.js';

const UPLINK_MAX_AGE_MS = 60_000;

/** `Speed: <n>Mb/s` → bit/s; undefined when unknown. */
export function parseEthtoolSpeed(stdout: string): number | undefined {
  const m = /^\s*Speed:\s*([0-9]+)Mb\/s\s*$/m.exec(stdout);
  return m ? Number(m[1]) * 1_000_000 : undefined;
}

export class UplinkSource {
  private cached: { at: number; value: Promise<number | undefined> } | undefined;

  /** `prefix` goes before ethtool's own arguments (['ethtool'] when the executor is xl-sim). */
  constructor(
    private readonly exec: XlExecutor, private readonly prefix: readonly string[], private readonly iface: string, private readonly timeoutMs: number,
    private readonly maxAgeMs = UPLINK_MAX_AGE_MS,
  ) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/.test(iface)) throw new Error(`'${iface}' is not an interface name`);
  }

  /** The last speed read; once it is older than UPLINK_MAX_AGE_MS it is read again in the background (a read never waits for ethtool but the first). */
  bitsPerSecond(): Promise<number | undefined> {
    const c = this.cached;
    if (c && Date.now() - c.at < this.maxAgeMs) return c.value;
    const value = this.exec.run([...this.prefix, this.iface], { timeoutMs: this.timeoutMs }).then((r) => parseEthtoolSpeed(r.stdout), () => undefined);
    const next = { at: Date.now(), value };
    if (!c) {
      this.cached = next;
      return value;
    }
    c.at = Date.now();   // one refresh at a time; the old speed is served meanwhile
    // Whatever it reads: a link gone down ("Unknown!") or an ethtool that fails is an unknown speed.
    void value.then((v) => { this.cached = { at: next.at, value: Promise.resolve(v) }; });
    return c.value;
  }
}
