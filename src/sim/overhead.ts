// Memory accounting as libxl does it (docs/xl-toolstack.md §5).
import type { Domain, DomType, HostState } from './host-state.js';

const EXTRA_PV_KB = 1024;   // LIBXL_PV_EXTRA_MEMORY
const EXTRA_HVM_KB = 2048;  // LIBXL_HVM_EXTRA_MEMORY
export const MAXMEM_CONSTANT_KB = 1024; // LIBXL_MAXMEM_CONSTANT
export const MIN_DOM0_KB = 128 * 1024;  // LIBXL_MIN_DOM0_MEM

export interface NeedInput { type: DomType; target_kb: number; max_kb: number; max_vcpus: number; hap: boolean; shadow_kb?: number }

/** libxl_domain_need_memory (docs/xl-toolstack.md §5): what xl checks against free memory. */
export function needMemoryKb(i: NeedInput): number {
  const factor = (i.type !== 'pv' ? 1 : 0) + (i.hap && i.type !== 'pv' ? 0 : 1);
  const paging = i.shadow_kb !== undefined ? i.shadow_kb
    : 4 * (256 * i.max_vcpus + factor * Math.floor(i.max_kb / 1024));
  let need = i.target_kb + paging + (i.type === 'pv' ? EXTRA_PV_KB : EXTRA_HVM_KB);
  need = Math.ceil(need / 2048) * 2048;
  return need;
}

export function domNeedInput(d: Domain): NeedInput {
  const c = d.config;
  const hap = c.c_info?.hap !== 'False';
  const shadow = typeof c.b_info?.shadow_memkb === 'number' ? c.b_info.shadow_memkb : undefined;
  return { type: d.type, target_kb: d.target_kb, max_kb: d.max_kb, max_vcpus: d.vcpus.length, hap, shadow_kb: shadow };
}

/** Pages the hypervisor reports as owned by the domain (tot_pages × 4), docs/xl-toolstack.md §5. */
export function currentKb(d: Domain): number {
  if (d.domid === 0) return d.target_kb;
  // HVM: the VGA hole (128 KiB) is not populated, so `xl list` shows memory= − 1 MiB.
  return d.type === 'hvm' ? Math.max(0, d.target_kb - 128) : d.target_kb;
}

/** Hypervisor max_pages × 4 = target + LIBXL_MAXMEM_CONSTANT (docs/xl-toolstack.md §5). */
export function hvMaxKb(d: Domain): number {
  if (d.domid === 0) return d.max_kb;
  return d.target_kb + MAXMEM_CONSTANT_KB;
}

/** Memory a domain takes from the host's free pool (dom0: its allocation). */
export function footprintKb(d: Domain): number {
  if (d.domid === 0) return d.target_kb;
  return needMemoryKb(domNeedInput(d));
}

/** Real free memory of the simulated host in KiB. */
export function realFreeKb(s: HostState): number {
  const total = s.host.total_memory_mib * 1024;
  const used = s.host.xen_memory_mib * 1024 + s.domains.reduce((a, d) => a + footprintKb(d), 0);
  return Math.max(0, total - used);
}

/** Free memory as xl sees it, honouring the free_memory_mib fault (faults.ts). */
export function freeKb(s: HostState, faultFreeMib: number | undefined): number {
  const real = realFreeKb(s);
  return faultFreeMib === undefined ? real : Math.min(real, Math.max(0, faultFreeMib) * 1024);
}
