// Lazy time model: there is no daemon, so every invocation first advances the host from
// the last recorded instant to "now": CPU time and I/O counters accrue for running
// domains, and guest shutdowns/reboots that were due meanwhile complete, with the
// background monitor's on_poweroff/on_reboot/on_crash action applied (xl(1)).
import { allocDomid, recordEvent, type Domain, type HostState } from './host-state.js';
import { applyCreateDefaults, clone, instantiate, liveConfig } from './domain-factory.js';
import { uuid4 } from './uuid-mac.js';

export function isRunning(d: Domain): boolean {
  return d.pause_count === 0 && d.shutdown_reason === null && d.has_run;
}

function demand(s: HostState, d: Domain): number {
  const online = d.vcpus.filter((v) => v.online).length;
  const load = d.domid === 0 ? s.host.dom0_vcpu_load : s.host.vcpu_load;
  let cpus = online * load;
  if (d.cap > 0) cpus = Math.min(cpus, d.cap / 100); // cap = % of one pCPU (docs/xl-toolstack.md §6)
  return cpus;
}

/** Accrue CPU time and counters for every running domain from d.last_ms to t. */
function accrue(s: HostState, t: number): void {
  const running = s.domains.filter(isRunning);
  // Share the pCPUs by weight when the running vCPUs want more than the host has.
  const wants = new Map(running.map((d) => [d, demand(s, d)]));
  const total = [...wants.values()].reduce((a, b) => a + b, 0);
  const wsum = running.reduce((a, d) => a + d.weight * wants.get(d)!, 0);
  for (const d of s.domains) {
    const dt = t - d.last_ms;
    if (dt <= 0) continue;
    d.last_ms = t;
    if (!isRunning(d)) continue;
    let cpus = wants.get(d)!;
    if (total > s.host.nr_cpus && wsum > 0) {
      cpus = Math.min(cpus, (s.host.nr_cpus * d.weight * cpus) / wsum);
    }
    const online = d.vcpus.filter((v) => v.online);
    if (online.length > 0) {
      const per = (cpus / online.length) * dt * 1e6; // ns per online vCPU
      for (const v of online) v.time_ns += per;
    }
    const sec = dt / 1000;
    for (const n of d.config.nics ?? []) {
      const c = d.nets[String(n.devid)] ??= { rx_bytes: 0, tx_bytes: 0, rx_pkts: 0, tx_pkts: 0 };
      // A vif rate limit (rate=) caps the guest's traffic (xl-network-configuration(5)).
      const limit = n.rate_bytes_per_interval && n.rate_interval_usecs
        ? (n.rate_bytes_per_interval * 1e6) / n.rate_interval_usecs : Infinity;
      const tx = Math.min(s.host.net_tx_bytes_per_sec, limit) * sec;
      const rx = Math.min(s.host.net_rx_bytes_per_sec, limit) * sec;
      c.tx_bytes += tx; c.rx_bytes += rx; c.tx_pkts += tx / 1000; c.rx_pkts += rx / 1000;
    }
    for (const k of d.config.disks ?? []) {
      const c = d.vbds[k.vdev] ??= { oo: 0, rd: 0, wr: 0, rsect: 0, wsect: 0 };
      const rd = s.host.vbd_rd_per_sec * sec;
      const wr = k.readwrite ? s.host.vbd_wr_per_sec * sec : 0;
      c.rd += rd; c.wr += wr; c.rsect += rd * 8; c.wsect += wr * 8;
    }
  }
}

function actionFor(d: Domain, reason: number): string {
  const c = d.config;
  switch (reason) {
    case 0: return c.on_poweroff ?? 'destroy';
    case 1: return c.on_reboot ?? 'restart';
    case 3: return c.on_crash ?? 'destroy';
    case 4: return c.on_watchdog ?? 'destroy';
    case 5: return c.on_soft_reset ?? 'soft_reset';
    default: return 'preserve';
  }
}

export function removeDomain(s: HostState, d: Domain, at: number): void {
  s.domains = s.domains.filter((x) => x !== d);
  recordEvent(s, { domid: d.domid, kind: 'destroy', reason: d.shutdown_reason ?? -1, at_ms: at });
}

/** Guest-side restart done by the monitor: destroy + create anew with a new domid, same uuid. */
export function restartDomain(s: HostState, d: Domain, at: number): Domain {
  const cfg = d.next_config ? applyCreateDefaults({ ...d.next_config, c_info: { ...d.next_config.c_info, uuid: d.uuid } }) : liveConfig(s, d);
  removeDomain(s, d, at);
  const nd = instantiate(s, cfg, allocDomid(s), at, { paused: false, monitor: true });
  nd.uuid = d.uuid;
  s.domains.push(nd);
  s.domains.sort((a, b) => a.domid - b.domid);
  return nd;
}

function stamp(at: number): string {
  const t = new Date(at).toISOString(); // YYYY-MM-DDTHH:MM...
  return `${t.slice(0, 4)}${t.slice(5, 7)}${t.slice(8, 10)}T${t.slice(11, 13)}${t.slice(14, 16)}Z`;
}

/** The guest has shut down with `reason`; apply the monitor's action. */
export function guestShutdown(s: HostState, d: Domain, reason: number, at: number): void {
  d.shutdown_reason = reason;
  d.pending = null;
  d.control = null;
  recordEvent(s, { domid: d.domid, kind: 'shutdown', reason, at_ms: at });
  if (!d.monitor) return; // created with -e: nobody acts, it stays in state 's'
  const act = actionFor(d, reason);
  switch (act) {
    case 'destroy':
    case 'coredump_destroy':
      removeDomain(s, d, at);
      break;
    case 'restart':
    case 'coredump_restart':
    case 'soft_reset':
      restartDomain(s, d, at);
      break;
    case 'restart_rename': {
      // Old domain kept (renamed, new uuid, no monitor); a fresh one takes name + uuid.
      const nd = restartDomain(s, d, at);
      const old = clone(d);
      old.name = `${d.name}-${stamp(at)}`;
      old.uuid = uuid4();
      old.monitor = false;
      s.domains.push(old);
      s.domains.sort((a, b) => a.domid - b.domid);
      void nd;
      break;
    }
    default: // preserve
      break;
  }
}

/** Advance the model to `now`, completing due shutdowns in chronological order. */
export function advance(s: HostState, now: number): number {
  let events = 0;
  for (let guard = 0; guard < 10000; guard++) {
    let next: Domain | undefined;
    for (const d of s.domains) {
      if (d.pending && d.pending.at_ms <= now && (!next || d.pending.at_ms < next.pending!.at_ms)) next = d;
    }
    if (!next) break;
    const at = Math.max(next.pending!.at_ms, next.last_ms);
    accrue(s, at);
    guestShutdown(s, next, next.pending!.reason, at);
    events++;
  }
  accrue(s, now);
  return events;
}

/** A shutdown/reboot request the guest acknowledges (or ACPI event it reacts to). */
export function scheduleGuestShutdown(s: HostState, d: Domain, reason: number, now: number): void {
  d.control = null;
  d.pending = { reason, at_ms: now + s.host.shutdown_seconds * 1000 };
  if (s.host.shutdown_seconds <= 0) guestShutdown(s, d, reason, now);
}
