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

/** What netback and libxl name a guest's interfaces: vif<domid>.<devid>, and -emu for an HVM guest's emulated twin. */
const GUEST_INTERFACE = /^vif[0-9]+\.[0-9]+(-emu)?$/;

const IFNAMSIZ = 16; // including the terminating NUL (Linux include/uapi/linux/if.h)

/** A bridge name the kernel takes and that no argument parser can mistake for an option. */
export function validBridgeName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name) || Buffer.byteLength(name) >= IFNAMSIZ) {
    throw new VirtError('invalid_argument',
      `'${name}' is not a valid switch name: 1 to ${IFNAMSIZ - 1} letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
  // Linux netback names a guest's interface vif<domid>.<devid> (libxl adds -emu for an HVM guest's
  // emulated twin): a bridge of that name would make creating that interface fail (EEXIST).
  if (GUEST_INTERFACE.test(name)) {
    throw new VirtError('invalid_argument', `'${name}' is the name Xen gives a guest interface (vif<domid>.<devid>): choose another switch name`);
  }
  return name;
}

export class BridgeSource {
  private cached: { at: number; value: Promise<VirtualSwitch[]> } | undefined;

  /** `prefix` goes before ip's own arguments (['ip'] when the executor is xl-sim). */
  constructor(private readonly exec: XlExecutor, private readonly prefix: readonly string[], private readonly timeoutMs: number) {}

  invalidate(): void {
    this.cached = undefined;
  }

  /** `ip link add name NAME type bridge`, then up: a new bridge is down until set up. */
  async create(name: string): Promise<VirtualSwitch> {
    validBridgeName(name);
    this.invalidate();
    try {
      await this.ip(['link', 'add', 'name', name, 'type', 'bridge'], `creating the bridge '${name}'`);
      try {
        await this.ip(['link', 'set', 'dev', name, 'up'], `setting the bridge '${name}' up`);
      } catch (e) {
        await this.ip(['link', 'del', 'dev', name], `removing the half-made bridge '${name}'`).catch(() => {});
        throw e;
      }
    } finally {
      this.invalidate();
    }
    return { name, up: true };
  }

  /**
   * `ip link del dev NAME`: the kernel releases its ports (the vifs stay). A bridge with a port
   * that is not a guest's interface (the physical uplink, a bond, a veth) is part of the host's
   * own network: deleting it would cut the control domain or other services off, so it is refused.
   */
  async remove(name: string): Promise<void> {
    validBridgeName(name);
    const ports = await this.ports(name);
    const host = ports.filter((p) => !GUEST_INTERFACE.test(p));
    if (host.length > 0) {
      throw new VirtError('invalid_state',
        `the virtual switch '${name}' carries the host's own interface${host.length > 1 ? 's' : ''} ${host.join(', ')}: it is part of the host's network and is not removed`);
    }
    try {
      await this.ip(['link', 'del', 'dev', name], `removing the bridge '${name}'`);
    } finally {
      this.invalidate();
    }
  }

  /** The names of the bridge's ports (`ip -j link show master NAME`). */
  private async ports(name: string): Promise<string[]> {
    const out = await this.ip(['-j', 'link', 'show', 'master', name], `reading the ports of the bridge '${name}'`);
    let links: unknown;
    try {
      links = JSON.parse(out.trim() === '' ? '[]' : out);
    } catch {
      throw new VirtError('failed', `ip -j link show master ${name} printed something that is not JSON`, out.slice(0, 200));
    }
    if (!Array.isArray(links)) throw new VirtError('failed', `ip -j link show master ${name} did not print a JSON array`);
    return links.flatMap((l) => (l && typeof l === 'object' && typeof (l as { ifname?: unknown }).ifname === 'string' ? [(l as { ifname: string }).ifname] : []));
  }

  private async ip(args: string[], what: string): Promise<string> {
    try {
      return (await this.exec.run([...this.prefix, ...args], { timeoutMs: this.timeoutMs })).stdout;
    } catch (e) {
      const v = e instanceof VirtError ? e : undefined;
      const text = `${v?.detail ?? ''} ${v?.message ?? ''}`;
      const kind = /File exists/.test(text) ? 'conflict' : /Cannot find device|does not exist/.test(text) ? 'not_found' : v?.kind ?? 'failed';
      throw new VirtError(kind, `${what} (ip ${args.join(' ')}) failed${v ? `: ${v.message}` : ''}`, v?.detail, { cause: e });
    }
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
