// xl trigger <Domain> <nmi|reset|init|power|sleep|s3resume> [<VCPU>], xl button-press, xl sysrq
// (xl(1)). Exit 0 whatever libxl says; hypervisor semantics of Xen 4.17 x86.
import { getopts, printHelp } from '../cli-args.js';
import { scheduleGuestShutdown } from '../clock.js';
import { domainById, domPrefix, findDomain } from '../domain-arg.js';
import type { Globals } from '../globals.js';
import { err } from '../io.js';
import { withHost } from '../session.js';

const TRIGGERS = ['nmi', 'reset', 'init', 'power', 'sleep', 's3resume'];

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  if (cmd === 'sysrq') {
    const p = await getopts(cmd, argv, '', [], 2);
    if (p.args[1]!.length !== 1) { err('Invalid sysrq.\n\n'); await printHelp(cmd); return 1; }
    return withHost(g.dir, (ctx) => { findDomain(ctx.state, p.args[0]!); return 0; });
  }
  const p = await getopts(cmd, argv, '', [], 2);
  const trig = p.args[1]!;
  if (cmd === 'button-press') {
    err('WARNING: "button-press" is deprecated. Please use "trigger"\n');
    if (trig !== 'power' && trig !== 'sleep') { err(`${trig} is an invalid button identifier\n`); return 1; }
  }
  return withHost(g.dir, (ctx) => {
    const id = findDomain(ctx.state, p.args[0]!);
    if (!TRIGGERS.includes(trig)) { err(`Invalid trigger "${trig}"\n`); return 1; }
    if (p.args[2] !== undefined && !/^[0-9]+$/.test(p.args[2])) err('Invalid vcpuid, using default vcpuid=0.\n\n');
    const d = domainById(ctx.state, id);
    const fail = (why: string) => err(`libxl: error: libxl_domain.c:2207:libxl_send_trigger: ${domPrefix(id)}Send trigger '${trig}' failed: ${why}\n`);
    if (!d) { fail('No such process'); return 0; }
    switch (trig) {
      case 'reset': case 'init': fail('Function not implemented'); break;
      case 'power': case 'sleep':
        if (d.type !== 'hvm') { fail('Invalid argument'); break; }
        if (trig === 'power' && d.shutdown_reason === null && !d.pending) {
          // ACPI power button: the guest OS powers off.
          if (d.pause_count === 0 && d.has_run) scheduleGuestShutdown(ctx.state, d, 0, ctx.now);
          else d.control = { reason: 0, since_ms: ctx.now };
          ctx.dirty = true;
        }
        break;
      case 's3resume':
        if (d.type !== 'hvm') fail('Invalid argument');
        break;
      default: break; // nmi: delivered
    }
    return 0;
  });
}
