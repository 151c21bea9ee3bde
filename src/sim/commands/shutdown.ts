// xl shutdown / xl reboot [-a] [-w] [-F] <Domain> (tools/xl/xl_vmcontrol.c
// main_shutdown_or_reboot; xl(1)). A PV guest (or HVM guest with PV drivers)
// acknowledges the request at once if it is running, or when it is next unpaused; xl waits
// up to ack_timeout_seconds for that. The guest then goes down after shutdown_seconds and
// the monitor applies on_poweroff/on_reboot (clock.ts).
import { count, getopts, has } from '../cli-args.js';
import { scheduleGuestShutdown } from '../clock.js';
import { domainById, domPrefix, findDomain } from '../domain-arg.js';
import type { Globals } from '../globals.js';
import { delay, err, Exit } from '../io.js';
import { withHost } from '../session.js';

const POLL_MS = 50;

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  const reboot = cmd === 'reboot';
  const p = await getopts(cmd, argv, 'awF', [
    { name: 'all', hasArg: false, val: 'a' }, { name: 'wait', hasArg: false, val: 'w' },
  ], 0);
  const all = has(p, 'a');
  const waitFor = count(p, 'w');
  const fallback = has(p, 'F');
  if (!all && p.args.length === 0) { err('You must specify -a or a domain id.\n\n'); return 1; }
  const verb = reboot ? 'Rebooting' : 'Shutting down';
  const what = reboot ? 'reboot' : 'shutdown';
  const reason = reboot ? 1 : 0;
  const start = Date.now();

  const ids: number[] = withHost(g.dir, (ctx) => {
    if (all) return ctx.state.domains.filter((d) => d.domid !== 0).map((d) => d.domid);
    return [findDomain(ctx.state, p.args[0]!)];
  });

  for (const id of ids) {
    err(`${verb} domain ${id}\n`);
    // Returns true when the request is waiting for the guest's acknowledgement.
    const needsAck = withHost(g.dir, (ctx) => {
      const s = ctx.state;
      const d = domainById(s, id);
      if (!d) {
        err(`libxl: error: libxl_dom.c:37:libxl__domain_type: unable to get domain type for domid=${id}\n${what} failed (rc=-3)\n`);
        throw new Exit(1);
      }
      const pvControl = d.type !== 'hvm' || s.host.hvm_pv_drivers;
      if (!pvControl) {
        if (!fallback) {
          err(`PV control interface not available: external graceful ${what} not possible.\n` +
            `Use "-F" to fallback to ACPI ${reboot ? 'reset' : 'power'} event.\n${what} failed (rc=-10)\n`);
          throw new Exit(1);
        }
        if (reboot) {
          // Xen 4.17 on x86 does not implement the reset trigger (xl(1)).
          err('PV control interface not available: sending ACPI reset button event.\n' +
            `libxl: error: libxl_domain.c:2207:libxl_send_trigger: ${domPrefix(id)}Send trigger 'reset' failed: Function not implemented\n` +
            'reboot failed (rc=-3)\n');
          throw new Exit(1);
        }
        err('PV control interface not available: sending ACPI power button event.\n');
        if (d.shutdown_reason === null && !d.pending) {
          if (d.pause_count === 0 && d.has_run) scheduleGuestShutdown(s, d, 0, ctx.now);
          else d.control = { reason: 0, since_ms: ctx.now };
          ctx.dirty = true;
        }
        return false;
      }
      if (d.pending) return false; // already going down: the guest acknowledges again
      if (d.shutdown_reason !== null) return true; // nothing will acknowledge: times out below
      ctx.dirty = true;
      if (d.pause_count === 0 && d.has_run) { scheduleGuestShutdown(s, d, reason, ctx.now); return false; }
      d.control = { reason, since_ms: ctx.now };
      return true;
    });
    if (needsAck) {
      const deadline = Date.now() + withHost(g.dir, (ctx) => ctx.state.host.ack_timeout_seconds) * 1000;
      let acked = false;
      while (!acked && Date.now() < deadline) {
        await delay(POLL_MS);
        acked = withHost(g.dir, (ctx) => {
          const d = domainById(ctx.state, id);
          return !d || d.control === null && (d.pending !== null || d.shutdown_reason !== null);
        });
      }
      if (!acked) {
        err(`libxl: error: libxl_domain.c:854:pvcontrol_cb: guest didn't acknowledge control request: -9\n${what} failed (rc=-9)\n`);
        return 1;
      }
    }
  }

  // xl waits (and says so) with -a even when there is no guest: "Waiting for 0 domains".
  if (waitFor > 0 && (ids.length > 0 || all)) {
    err(`Waiting for ${ids.length} domains\n`);
    const left = new Set(ids);
    const reported = new Set<string>();
    while (left.size > 0) {
      // The host's event log is bounded (many domains going down at once push old entries out),
      // so what a domain is now decides too, as libxl's death watch sees it: gone is destroyed,
      // still there with a shutdown reason is shut down.
      const { evs, now } = withHost(g.dir, (ctx) => ({
        evs: ctx.state.events.filter((e) => e.at_ms >= start - 1 && left.has(e.domid)),
        now: new Map([...left].map((id) => [id, domainById(ctx.state, id)?.shutdown_reason])),
      }));
      const seen = (domid: number, kind: 'shutdown' | 'destroy', reason: number | null | undefined): void => {
        const key = `${domid}:${kind}`;
        if (reported.has(key) || !left.has(domid)) return;
        reported.add(key);
        if (kind === 'shutdown') {
          err(`Domain ${domid} has been shut down, reason code ${reason}\n`);
          if (waitFor === 1) left.delete(domid);
        } else {
          err(`Domain ${domid} has been destroyed\n`);
          left.delete(domid);
        }
      };
      for (const e of evs) seen(e.domid, e.kind === 'shutdown' ? 'shutdown' : 'destroy', e.reason);
      for (const [id, reason] of now) {
        if (reason === undefined) seen(id, 'destroy', null);
        else if (reason !== null) seen(id, 'shutdown', reason);
      }
      if (left.size > 0) await delay(POLL_MS);
    }
  }
  return 0;
}
