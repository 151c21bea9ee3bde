/**
 * An in-process stand-in for xl (implements XlExecutor) for fast, deterministic driver tests:
 * enough of list -v / list -l / info / create / destroy / pause / ... with the real output shapes
 * and error texts, plus fault injection. The contract suite runs against the real simulator too.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { RunOptions, RunResult, XlExecutor } from '../../../src/drivers/xl/runner.js';
import { hasLibxlError, xlError } from '../../../src/drivers/xl/xl-errors.js';

interface Dom {
  domid: number; name: string; uuid: string; type: string; memMiB: number; maxMemMiB: number;
  vcpus: number; maxVcpus: number; weight: number; cap: number; paused: number; cpu: number;
  disks: { vdev: string; target: string }[]; nics: { mac: string; bridge: string; rate?: [number, number] }[];
}

export interface Fault { stderr: string; exitCode: number }

export class FakeXl implements XlExecutor {
  calls = 0;
  readonly log: string[][] = [];
  doms = new Map<number, Dom>();
  nextDomid = 1;
  totalMiB = 65536;
  dom0MiB = 4096;
  scheduler = 'credit2';
  faults = new Map<string, Fault>();
  delayMs = 0;

  async run(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    this.calls++;
    this.log.push(args);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const fault = this.faults.get(args[0]!);
    let res: RunResult;
    if (fault) {
      this.faults.delete(args[0]!);
      res = { stdout: '', stderr: fault.stderr, exitCode: fault.exitCode };
    } else {
      try {
        res = { stdout: this.exec(args), stderr: '', exitCode: 0 };
      } catch (e) {
        res = { stdout: '', stderr: (e as Error).message + '\n', exitCode: 1 };
      }
    }
    if (res.exitCode !== 0 || (!opts.tolerateLibxlErrors && hasLibxlError(res.stderr))) throw xlError(args, res.stderr, res.exitCode);
    return res;
  }

  freeMiB(): number {
    let used = this.dom0MiB;
    for (const d of this.doms.values()) used += d.memMiB + Math.ceil((4 * (256 * d.maxVcpus + (d.type !== 'pv' ? d.maxMemMiB : d.maxMemMiB)) + 2048) / 1024);
    return this.totalMiB - 200 - used;
  }

  byName(arg: string): Dom {
    for (const d of this.doms.values()) if (d.name === arg) return d;
    throw new Error(`${arg} is an invalid domain identifier (rc=-6)`);
  }

  addDomain(p: Partial<Dom> & { name: string }): Dom {
    const d: Dom = {
      domid: this.nextDomid++, uuid: randomUUID(), type: 'pv', memMiB: 512, maxMemMiB: 512, vcpus: 1, maxVcpus: 1,
      weight: 256, cap: 0, paused: 0, cpu: 1.5, disks: [], nics: [], ...p,
    };
    this.doms.set(d.domid, d);
    return d;
  }

  private exec(args: string[]): string {
    const [cmd, ...a] = args;
    switch (cmd) {
      case 'list':
        return a[0] === '-l' ? this.listLong() : this.listV();
      case 'info':
        return [
          ['host', 'fakehost'], ['nr_cpus', '16'], ['total_memory', String(this.totalMiB)], ['free_memory', String(this.freeMiB())],
          ['xen_version', '4.17.7'], ['xen_scheduler', this.scheduler], ['xen_commandline', 'placeholder dom0_mem=4096M,max:4096M'],
        ].map(([k, v]) => `${k!.padEnd(23)}: ${v}`).join('\n') + '\n';
      case 'create': {
        const paused = a[0] === '-p';
        const text = readFileSync(a[a.length - 1]!, 'utf8');
        const get = (k: string): string | undefined => new RegExp(`^${k} = "?([^"\\n]*)"?$`, 'm').exec(text)?.[1];
        const name = get('name')!;
        for (const d of this.doms.values()) if (d.name === name) throw new Error(`libxl: error: libxl_domain.c:81:libxl__domain_rename: Domain 5:Domain with name "${name}" already exists.`);
        const mem = Number(get('memory'));
        if (mem + 100 > this.freeMiB()) throw new Error('failed to free memory for the domain');
        const disks = [...text.matchAll(/vdev=(\w+), access=\w+(?:, devtype=cdrom)?, target=([^']+)'/g)].map((m) => ({ vdev: m[1]!, target: m[2]! }));
        const nics = [...text.matchAll(/mac=([0-9a-f:]+), bridge=([\w.-]+)(?:, rate=(\d+)B\/s@(\d+)us)?/g)].map((m) => {
          const nic: Dom['nics'][number] = { mac: m[1]!, bridge: m[2]! };
          if (m[3]) nic.rate = [(Number(m[3]) * Number(m[4])) / 1e6, Number(m[4])];
          return nic;
        });
        this.addDomain({
          name, uuid: get('uuid')!, type: get('type')!, memMiB: mem, maxMemMiB: Number(get('maxmem')), vcpus: Number(get('vcpus')),
          maxVcpus: Number(get('maxvcpus')), weight: Number(get('cpu_weight')), cap: Number(get('cap')), paused: paused ? 1 : 0, disks, nics,
        });
        return '';
      }
      case 'destroy':
      case 'shutdown':
      case 'migrate':
        this.doms.delete(this.byName(a[a.length - (cmd === 'migrate' ? 2 : 1)]!).domid);
        return '';
      case 'reboot': {
        const d = this.byName(a[0]!);
        this.doms.delete(d.domid);
        d.domid = this.nextDomid++;
        this.doms.set(d.domid, d);
        return '';
      }
      case 'pause':
        this.byName(a[0]!).paused++;
        return '';
      case 'unpause': {
        const d = this.byName(a[0]!);
        if (!d.paused) throw new Error(`libxl: error: libxl_domain.c:688:domain_unpause_done: Domain ${d.domid}:Unpausing domain: Invalid argument`);
        d.paused--;
        return '';
      }
      case 'save': {
        const d = this.byName(a[0]!);
        writeFileSync(a[1]!, JSON.stringify(d));
        this.doms.delete(d.domid);
        return '';
      }
      case 'restore': {
        const d = JSON.parse(readFileSync(a[a.length - 1]!, 'utf8')) as Dom;
        this.addDomain({ ...d, domid: this.nextDomid, paused: a[0] === '-p' ? 1 : 0 });
        return '';
      }
      case 'mem-set':
        this.byName(a[0]!).memMiB = parseInt(a[1]!, 10);
        return '';
      case 'mem-max':
        this.byName(a[0]!).maxMemMiB = parseInt(a[1]!, 10);
        return '';
      case 'vcpu-set':
        this.byName(a[0]!).vcpus = Number(a[1]);
        return '';
      case 'sched-credit2':
      case 'sched-credit': {
        if (cmd !== `sched-${this.scheduler}`) throw new Error(`libxl_domain_sched_params_get returned ${this.scheduler} not credit.`);
        const d = this.byName(a[1]!);
        d.weight = Number(a[3]);
        d.cap = Number(a[5]);
        return '';
      }
      case 'block-attach': {
        const m = /vdev=(\w+).*target=(.*)$/.exec(a[1]!)!;
        this.byName(a[0]!).disks.push({ vdev: m[1]!, target: m[2]! });
        return '';
      }
      case 'block-detach': {
        const d = this.byName(a[0]!);
        d.disks = d.disks.filter((x) => x.vdev !== a[1]);
        return '';
      }
      case 'network-attach': {
        const kv = Object.fromEntries(a.slice(1).map((x) => x.split('=') as [string, string]));
        const nic: Dom['nics'][number] = { mac: kv['mac']!, bridge: kv['bridge']! };
        const r = /^(\d+)B\/s@(\d+)us$/.exec(kv['rate'] ?? '');
        if (r) nic.rate = [(Number(r[1]) * Number(r[2])) / 1e6, Number(r[2])];
        this.byName(a[0]!).nics.push(nic);
        return '';
      }
      case 'network-detach': {
        const d = this.byName(a[0]!);
        if (!d.nics.some((n) => n.mac === a[1])) throw new Error(`Unknown device ${a[1]}.`);
        d.nics = d.nics.filter((n) => n.mac !== a[1]);
        return '';
      }
      default:
        throw new Error('command not implemented');
    }
  }

  private listV(): string {
    const head = 'Name                                        ID   Mem VCPUs\tState\tTime(s)   UUID                            Reason-Code\tSecurity Label\n';
    const row = (name: string, id: number, mem: number, vcpus: number, state: string, cpu: number, uuid: string): string =>
      `${name.padEnd(40)} ${String(id).padStart(5)} ${String(mem).padStart(5)} ${String(vcpus).padStart(5)}     ${state}  ${cpu.toFixed(1).padStart(8)} ${uuid} ${'-'.padStart(8)} ${'-'.padStart(16)}\n`;
    let out = head + row('Domain-0', 0, this.dom0MiB, 2, 'r-----', 100, '00000000-0000-0000-0000-000000000000');
    for (const d of [...this.doms.values()].sort((x, y) => x.domid - y.domid)) {
      d.cpu += 0.1;
      out += row(d.name, d.domid, d.memMiB, d.vcpus, d.paused ? '--p---' : '-b----', d.cpu, d.uuid);
    }
    return out;
  }

  private listLong(): string {
    const arr = [
      { domid: 0, config: { c_info: { type: 'pv', name: 'Domain-0' }, b_info: { max_memkb: this.dom0MiB * 1024, target_memkb: this.dom0MiB * 1024 - 1, sched_params: { sched: this.scheduler, weight: 256, cap: 0 } } } },
      ...[...this.doms.values()].map((d) => ({
        domid: d.domid,
        config: {
          c_info: { type: d.type, name: d.name, uuid: d.uuid },
          b_info: {
            max_vcpus: d.maxVcpus, avail_vcpus: [...Array(d.vcpus).keys()], max_memkb: d.maxMemMiB * 1024, target_memkb: d.memMiB * 1024,
            sched_params: { sched: this.scheduler, weight: d.weight, cap: d.cap },
          },
          disks: d.disks.map((x) => ({ pdev_path: x.target, vdev: x.vdev, format: 'raw', readwrite: 1 })),
          nics: d.nics.map((n, i) => ({ devid: i, mac: n.mac, bridge: n.bridge, ...(n.rate ? { rate_bytes_per_interval: n.rate[0], rate_interval_usecs: n.rate[1] } : {}) })),
          on_reboot: 'restart',
        },
      })),
    ];
    return JSON.stringify(arr, null, 4) + '\n\n';
  }
}
