/**
 * Host facts from `xl info`, consistent with the domain list they are used with. What they carry
 * is static (CPUs, total memory, versions, scheduler) except free memory, which virt/capacity.ts
 * uses to estimate Xen's own memory: read against a different domain list it makes capacity
 * wrong (after a stop, free memory from before the stop makes the host look full). So `xl info`
 * is asked again whenever the snapshot's domains (or their memory) differ from those it was read
 * with, and is otherwise kept at most INFO_MAX_AGE_MS.
 */
import type { HostFacts, SystemType } from '../../virt/types.js';
import type { XlCore } from './core.js';
import { dom0MemoryFixed, infoNumber, parseInfo, type XlInfo } from './parse/info.js';
import type { Snapshot } from './picture.js';
import type { UplinkSource } from './uplink.js';

const INFO_MAX_AGE_MS = 30_000;
/** A read waits at most this long for a new `xl info` when an older answer can stand in. */
const INFO_READ_WAIT_MS = 1000;

/** Which domains hold how much memory: `xl info` is valid for one such picture. */
function signatureOf(snap: Snapshot): string {
  return snap.domains.map((v) => `${v.row.domid}:${v.row.memMiB}`).join(',');
}

export class HostFactsSource {
  /** Shared by concurrent readers (one `xl info` however many ask at once). */
  private info: { at: number; signature: string; value: Promise<XlInfo> } | undefined;
  private readonly signatures = new WeakMap<Snapshot, string>();
  /** The last answer xl gave: it stands in while a new `xl info` is late or failing. */
  private lastGood: XlInfo | undefined;

  constructor(private readonly core: XlCore, private readonly uplink?: UplinkSource) {}

  invalidate(): void {
    this.info = undefined;
  }

  async facts(): Promise<HostFacts> {
    const snap = await this.core.cache.get();
    const [info, uplink] = await Promise.all([this.withFallback(this.infoFor(snap)), this.uplink?.bitsPerSecond()]);
    const dom0 = snap.byDomid.get(0);
    return {
      hostname: info['host'] ?? 'localhost',
      hypervisor: 'xen',
      hypervisorVersion: info['xen_version'] ?? '',
      scheduler: info['xen_scheduler'] ?? '',
      nrCpus: infoNumber(info, 'nr_cpus'),
      totalMemoryMiB: infoNumber(info, 'total_memory'),
      freeMemoryMiB: infoNumber(info, 'free_memory'),
      dom0MemoryMiB: dom0?.row.memMiB ?? 0,
      dom0Vcpus: dom0?.row.vcpus ?? 0,
      dom0MemoryFixed: dom0MemoryFixed(info),
      ...(info['xen_caps'] !== undefined ? { guestTypes: guestTypesOf(info['xen_caps']) } : {}),
      ...(uplink !== undefined ? { uplinkBitsPerSecond: uplink } : {}),
    };
  }

  /** The host's default scheduler (static: any `xl info` will do). */
  async scheduler(): Promise<string | undefined> {
    const value = this.info?.value ?? this.fetch('');
    return (await value)['xen_scheduler'];
  }

  /** A late or failing `xl info` does not hold a read: the last answer stands in (CPUs, versions are static). */
  private async withFallback(value: Promise<XlInfo>): Promise<XlInfo> {
    const last = this.lastGood;
    if (!last) return value;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<XlInfo>((resolve) => { timer = setTimeout(() => resolve(last), INFO_READ_WAIT_MS); });
    try {
      return await Promise.race([value.catch(() => last), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private infoFor(snap: Snapshot): Promise<XlInfo> {
    let signature = this.signatures.get(snap);
    if (signature === undefined) {
      signature = signatureOf(snap);
      this.signatures.set(snap, signature);
    }
    const i = this.info;
    if (i && i.signature === signature && Date.now() - i.at < INFO_MAX_AGE_MS) return i.value;
    return this.fetch(signature);
  }

  private fetch(signature: string): Promise<XlInfo> {
    const value = this.core.xl(['info']).then((r) => parseInfo(r.stdout));
    const entry = { at: Date.now(), signature, value };
    this.info = entry;
    value.then((v) => { this.lastGood = v; }, () => {});
    value.catch(() => {
      if (this.info === entry) this.info = undefined;
    });
    return value;
  }
}

/**
 * Guest types the hypervisor can run, from `xl info` xen_caps ("xen-3.0-x86_64" PV, "hvm-3.0-…"
 * hardware-assisted: HVM and PVH, which needs the same hardware support).
 */
export function guestTypesOf(caps: string): SystemType[] {
  const words = caps.split(/\s+/);
  const out: SystemType[] = [];
  if (words.some((w) => w.startsWith('xen-'))) out.push('pv');
  if (words.some((w) => w.startsWith('hvm-'))) out.push('pvh', 'hvm');
  return out;
}
