/**
 * Host facts from `xl info`, consistent with the domain list they are used with. What they carry
 * is static (CPUs, total memory, versions, scheduler) except free memory, which virt/capacity.ts
 * uses to estimate Xen's own memory: read against a different domain list it makes capacity
 * wrong (after a stop, free memory from before the stop makes the host look full). So `xl info`
 * is asked again whenever the snapshot's domains (or their memory) differ from those it was read
 * with, and is otherwise kept at most INFO_MAX_AGE_MS.
 */
import type { HostFacts } from '../../virt/types.js';
import type { XlCore } from './core.js';
import { dom0MemoryFixed, infoNumber, parseInfo, type XlInfo } from './parse/info.js';
import type { Snapshot } from './snapshot.js';

const INFO_MAX_AGE_MS = 30_000;

/** Which domains hold how much memory: `xl info` is valid for one such picture. */
function signatureOf(snap: Snapshot): string {
  return snap.domains.map((v) => `${v.row.domid}:${v.row.memMiB}`).join(',');
}

export class HostFactsSource {
  /** Shared by concurrent readers (one `xl info` however many ask at once). */
  private info: { at: number; signature: string; value: Promise<XlInfo> } | undefined;
  private readonly signatures = new WeakMap<Snapshot, string>();

  constructor(private readonly core: XlCore) {}

  invalidate(): void {
    this.info = undefined;
  }

  async facts(): Promise<HostFacts> {
    const snap = await this.core.cache.get();
    const info = await this.infoFor(snap);
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
    };
  }

  /** The host's default scheduler (static: any `xl info` will do). */
  async scheduler(): Promise<string | undefined> {
    const value = this.info?.value ?? this.fetch('');
    return (await value)['xen_scheduler'];
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
    value.catch(() => {
      if (this.info === entry) this.info = undefined;
    });
    return value;
  }
}
