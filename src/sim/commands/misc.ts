// Small read-only commands: vm-list, claims, sharing, cpupool-list, dmesg, config-update
// (samples in test/data/xl-samples; config-update as in xl(1)).
import { readFileSync } from 'node:fs';
import { getopts, has } from '../cli-args.js';
import { buildConfig } from '../config-build.js';
import { strerror } from '../create-domain.js';
import { findDomain } from '../domain-arg.js';
import { listHeader, listRow } from '../format/list-table.js';
import type { Globals } from '../globals.js';
import { err, hostPath, out } from '../io.js';
import { currentKb } from '../overhead.js';
import { padL, padR } from '../printf.js';
import { withHost } from '../session.js';

export async function run(cmd: string, argv: string[], g: Globals): Promise<number> {
  switch (cmd) {
    case 'vm-list': {
      await getopts(cmd, argv, '', [], 0);
      return withHost(g.dir, (ctx) => {
        out('UUID                                  ID    name\n' +
          ctx.state.domains.map((d) => `${d.uuid}  ${d.domid}    ${padR(d.name, 30)}\n`).join(''));
        return 0;
      });
    }
    case 'claims':
    case 'sharing': {
      await getopts(cmd, argv, '', [], 0);
      return withHost(g.dir, (ctx) => {
        const s = ctx.state;
        if (cmd === 'claims') {
          const o = { verbose: false, context: false, cpupool: false, numa: false, claims: true };
          out(listHeader(o) + s.domains.map((d) => listRow(s, d, o)).join(''));
        } else {
          out('Name                                        ID   Mem Shared\n' + s.domains.map((d) =>
            `${padR(d.name, 40)} ${padL(d.domid, 5)} ${padL(Math.floor(currentKb(d) / 1024), 5)}  ${padL(0, 5)}\n`).join(''));
        }
        return 0;
      });
    }
    case 'cpupool-list': {
      const p = await getopts(cmd, argv, 'c', [{ name: 'cpus', hasArg: false, val: 'c' }], 0);
      return withHost(g.dir, (ctx) => {
        const s = ctx.state;
        if (p.args[0] !== undefined && p.args[0] !== 'Pool-0') { err(`Pool '${p.args[0]}' does not exist\n`); return 1; }
        if (has(p, 'c')) {
          out(`${padR('Name', 19)}CPU list\n${padR('Pool-0', 19)}${Array.from({ length: s.host.nr_cpus }, (_, i) => i).join(',')}\n`);
        } else {
          out(`${padR('Name', 19)}CPUs   Sched     Active   Domain count\n` +
            `${padR('Pool-0', 19)}${padL(s.host.nr_cpus, 3)} ${padL(s.host.scheduler, 9)}       y       ${padL(s.domains.length, 4)}\n`);
        }
        return 0;
      });
    }
    case 'dmesg': {
      await getopts(cmd, argv, 'c', [], 0);
      return withHost(g.dir, (ctx) => {
        const h = ctx.state.host;
        out(`(XEN) Xen version ${h.xen_version} (xl-sim) (gcc (Debian 12.2.0-14+deb12u1) 12.2.0) debug=n\n` +
          `(XEN) Command line: ${h.xen_commandline}\n` +
          `(XEN) Using scheduler: ${h.scheduler === 'credit2' ? 'SMP Credit Scheduler rev2 (credit2)' : 'SMP Credit Scheduler (credit)'}\n` +
          `(XEN) Brought up ${h.nr_cpus} CPUs\n`);
        return 0;
      });
    }
    case 'config-update': {
      const p = await getopts(cmd, argv, 'f:d', [{ name: 'defconfig', hasArg: true, val: 'f' }], 0);
      if (p.args.length === 0) { err('xl config-update requires a domain argument\n'); const { printHelp } = await import('../cli-args.js'); await printHelp(cmd); return 1; }
      err('WARNING: xl now has better capability to manage domain configuration, avoid using this command when possible\n');
      return withHost(g.dir, (ctx) => {
        const id = findDomain(ctx.state, p.args[0]!);
        const file = p.opts.find(([o]) => o === 'f')?.[1] ?? p.args.find((a, i) => i > 0 && !a.includes('='));
        if (file === undefined) { err('Config file not specified\n'); return 1; }
        let text: string;
        try { text = readFileSync(hostPath(file), 'utf8'); } catch (e) {
          err(`Failed to read config file: ${file}: ${strerror((e as NodeJS.ErrnoException).code)}\n`);
          return 253;
        }
        const extra = p.args.slice(1).filter((a) => a.includes('='));
        if (extra.length) text += '\n' + extra.join('\n') + '\n';
        const r = buildConfig(text, file, ctx.state.host);
        if (r.error !== undefined) { err(r.error); return 1; }
        err(`setting dom${id} configuration\n`);
        // Used by the monitor at the guest's next reboot, then dropped (xl(1)).
        const d = ctx.state.domains.find((x) => x.domid === id);
        if (d && id !== 0) { d.next_config = r.config!; ctx.dirty = true; }
        return 0;
      });
    }
    default:
      return 1;
  }
}
