/**
 * The control domain's bridges: the host's virtual switches. Read with iproute2
 * (`ip -j link show type bridge`: one JSON array, `ifname` and `operstate` per bridge) — the real
 * `ip` on a Xen host, `xl-sim ip ...` with the simulator — through the same runner conventions
 * as xl (argument arrays, a deadline that kills). The vif hotplug script refuses a vif on a bridge
 * that does not exist (after libxl has already stored it), so the model checks against this list
 * first. Kept like the host facts: one read shared by concurrent readers, asked again after
 * BRIDGES_MAX_AGE_MS or when the driver's picture is dropped (invalidate()).
 */
import { VirtError } from '../../virt/errors.js';
import type { VirtualSwitch } from '../../virt/types.js';
import type { XlExecutor } from './runner.js';

const BRIDGES_MAX_AGE_MS = 10_000;
export const SHOW_BRIDGES = ['-j', 'link', 'show', 'type', 'bridge'];

/** `ip -j link show type bridge` → the switches, in the order ip lists them. */
export function parseBridges(stdout: string): VirtualSwitch[] {
  let links: unknown;
  try {
    links = JSON.parse(stdout.trim() === '' ? '[]' : stdout);
  } catch {
    throw new VirtError('failed', 'ip -j link show type bridge printed something that is not JSON', stdout.slice(0, 200));
  }
  if (!Array.isArray(links)) throw new VirtError('failed', 'ip -j link show type bridge did not print a JSON array');
  return links.flatMap((l): VirtualSwitch[] => {
    if (!l || typeof l !== 'object' || typeof (l as { ifname?: unknown }).ifname !== 'string') return [];
    const link = l as { ifname: string; operstate?: unknown; flags?: unknown };
    const up = link.operstate === 'UP' || (Array.isArray(link.flags) && link.flags.includes('UP'));
    return [{ name: link.ifname, up }];
  });
}

export class BridgeSource {
  private cached: { at: number; value: Promise<VirtualSwitch[]> } | undefined;

  /** `prefix` goes before ip's own arguments (['ip'] when the executor is xl-sim). */
  constructor(private readonly exec: XlExecutor, private readonly prefix: readonly string[], private readonly timeoutMs: number) {}

  invalidate(): void {
    this.cached = undefined;
  }

  switches(): Promise<VirtualSwitch[]> {
    const c = this.cached;
    if (c && Date.now() - c.at < BRIDGES_MAX_AGE_MS) return c.value;
    const value = this.exec.run([...this.prefix, ...SHOW_BRIDGES], { timeoutMs: this.timeoutMs }).then(
      (r) => parseBridges(r.stdout),
      (e: unknown) => {
        const v = e instanceof VirtError ? e : undefined;
        throw new VirtError(v?.kind ?? 'failed', `reading the host's bridges (ip ${SHOW_BRIDGES.join(' ')}) failed${v ? `: ${v.message}` : ''}`, v?.detail, { cause: e });
      },
    );
    const entry = { at: Date.now(), value };
    this.cached = entry;
    value.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return value;
  }
}
