/**
 * Live vif rates through xenstore. xl cannot change a vif's rate in place, but Linux netback
 * watches `backend/vif/<domid>/<devid>/rate` in dom0's xenstore (value `<bytes>,<usecs>`: credit
 * bytes per replenishment interval) and applies a new value at once, with no reconnect, no
 * hotplug script and no link flap; a missing key means unlimited. libxl never rewrites the key
 * and its own records keep the attach-time rate (a save image too), so after a restore from the
 * image's own configuration (an adopted system), and after a reboot (xl's monitor builds the new
 * domain from that record), the stored definition's rates are written again. A restore from the
 * definition's cfg needs nothing: xl plugs the vifs at the rates the cfg gives.
 *
 * The tools: the multi-call `xenstore <mode>` of a Xen control domain (xenstore-utils), or the
 * simulator's `xl-sim xenstore <mode>`; argument arrays, every value built from validated
 * integers and MACs. The devid of an interface comes from `xl network-list` (one call).
 */
import { VirtError } from '../../virt/errors.js';
import type { Rate } from '../../virt/types.js';
import type { XlCore } from './core.js';
import { deadlineOf } from './deadlines.js';
import { creditedRate } from './rate.js';
import type { XlExecutor } from './runner.js';
import { validInt, validMac, validName } from './validate.js';

/** netback's two numbers; the interval is below 2^32 µs, the credit at least one byte. */
export function rateValue(rate: Rate): string {
  const { bps, us } = creditedRate(rate);
  return `${Math.floor((bps * us) / 1e6)},${us}`;
}

export function ratePath(domid: number, devid: number): string {
  return `/local/domain/0/backend/vif/${validInt(domid, 'domid', 1, 32751)}/${validInt(devid, 'devid', 0, 65535)}/rate`;
}

/** `xl network-list <dom>` → MAC → devid (rows: Idx BE Mac-Addr. handle state ...). */
export function parseNetworkList(stdout: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of stdout.split('\n').slice(1)) {
    const m = /^\s*([0-9]+)\s+[0-9]+\s+([0-9a-fA-F:]{17})\s/.exec(line);
    if (m) out.set(m[2]!.toLowerCase(), Number(m[1]));
  }
  return out;
}

export class XenstoreClient {
  /** `prefix` goes before the mode (['xenstore'] when the executor is xl-sim). */
  constructor(private readonly exec: XlExecutor, private readonly prefix: readonly string[], private readonly timeoutMs: number) {}

  async write(path: string, value: string): Promise<void> {
    await this.run(['write', path, value], `writing ${path}`);
  }

  /** Removes a node; a missing one whose parent exists is a success (as the tool says). */
  async remove(path: string): Promise<void> {
    await this.run(['rm', path], `removing ${path}`);
  }

  async read(path: string): Promise<string> {
    return (await this.run(['read', path], `reading ${path}`)).replace(/\n$/, '');
  }

  private async run(args: string[], what: string): Promise<string> {
    try {
      return (await this.exec.run([...this.prefix, ...args], { timeoutMs: this.timeoutMs })).stdout;
    } catch (e) {
      const v = e instanceof VirtError ? e : undefined;
      throw new VirtError(v?.kind ?? 'failed', `${what} in xenstore (xenstore ${args.join(' ')}) failed${v ? `: ${v.message}` : ''}`, v?.detail, { cause: e });
    }
  }
}

/**
 * The devids of a running domain's interfaces. A read: run outside the change's scope (core.xl
 * would mark the change as having run xl, which drops the driver's picture of the host).
 */
export async function devidsOf(core: XlCore, domid: number): Promise<Map<string, number>> {
  const args = ['network-list', String(validInt(domid, 'domid', 1, 32751))];
  return parseNetworkList((await core.exec.run(args, { timeoutMs: deadlineOf(args, core.deadlines) })).stdout);
}

/** Sets one interface's live rate: the vif stays plugged (netback applies the new key at once). */
export async function setLiveRate(core: XlCore, xs: XenstoreClient, domid: number, mac: string, rate: Rate | null, devids?: Map<string, number>): Promise<void> {
  const m = validMac(mac);
  const ids = devids ?? (await devidsOf(core, domid));
  const devid = ids.get(m);
  if (devid === undefined) throw new VirtError('not_found', `the running domain ${domid} has no interface ${m}`);
  const path = ratePath(domid, devid);
  if (rate) await xs.write(path, rateValue(rate));
  else await xs.remove(path);
}

/**
 * After a restore from the image's configuration or a rebuild, the vifs carry libxl's attach-time rates (its record); the
 * definition's are written again so the live rates match it. A failure is logged, not thrown:
 * the domain runs, only its rates may lag (the next change or start sets them). `known`: the
 * domain's domid when the caller has it (no `xl domid`).
 */
export async function reapplyRates(core: XlCore, liveName: string, nics: readonly { mac: string; rate?: Rate }[], known?: number): Promise<void> {
  if (nics.length === 0) return;
  try {
    const domid = known ?? Number((await core.xl(['domid', validName(liveName)])).stdout.trim());
    const ids = await devidsOf(core, domid);
    for (const n of nics) await setLiveRate(core, core.xenstore, domid, n.mac, n.rate ?? null, ids);
  } catch (e) {
    core.log('warn', `'${liveName}' runs in a new domain, but its interfaces' rates could not be set again: ${e instanceof Error ? e.message : String(e)}`);
  }
}
