/**
 * I/O counters of every active domain from ONE `xentop -b -f -n -i 1` run, and their uptimes from
 * ONE `xl uptime` (the metrics sampler calls this once per interval, never per system). xentop's CPU(%) of a single iteration is always
 * 0.0, so CPU use is not read here: the sampler derives it from CPU-time deltas.
 *
 * Which xentop: the one beside a real `xl` (/usr/sbin/xentop); otherwise the `xentop`
 * pseudo-command of the same executable (xl-sim, or an injected in-process simulator).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SystemCounters } from '../../virt/driver.js';
import type { XlCore } from './core.js';
import { parseUptime } from './parse/uptime.js';
import { parseXentop, type XentopRow } from './parse/xentop.js';
import { DEFAULT_DEADLINES } from './deadlines.js';
import { XlRunner, type XlExecutor } from './runner.js';

const XENTOP_ARGS = ['-b', '-f', '-n', '-i', '1'];
const SECTOR_BYTES = 512;

export class XentopStatistics {
  private readonly exec: XlExecutor;
  private readonly prefix: string[];

  constructor(private readonly core: XlCore, xlPath: string, env: Record<string, string> = {}) {
    const sibling = join(dirname(xlPath), 'xentop');
    if (basename(xlPath) === 'xl' && existsSync(sibling)) {
      this.exec = core.running.track(new XlRunner({ xlPath: sibling, env, defaultTimeoutMs: (core.deadlines.quick ?? DEFAULT_DEADLINES.quick), tool: 'xentop' }));
      this.prefix = [];
    } else {
      this.exec = core.exec;
      this.prefix = ['xentop'];
    }
  }

  async read(): Promise<SystemCounters[]> {
    const [top, up] = await Promise.all([
      this.exec.run([...this.prefix, ...XENTOP_ARGS], { timeoutMs: this.core.deadlines.quick ?? DEFAULT_DEADLINES.quick }),
      // Uptime is a nicety: its failure leaves the sampler's own estimate.
      this.core.xl(['uptime']).then((r) => parseUptime(r.stdout), () => new Map<string, number>()),
    ]);
    return parseXentop(top.stdout).filter((row) => row.name !== 'Domain-0').map((row) => {
      const c = countersOf(row);
      const sec = up.get(row.name);
      if (sec !== undefined) c.uptimeSec = sec;
      return c;
    });
  }
}

/** The guest's view: what the control domain's vif received is what the guest transmitted. */
export function countersOf(row: XentopRow): SystemCounters {
  const c: SystemCounters = {
    name: row.name,
    netTxBytes: row.vif ? row.vif.rxBytes : row.netRxKiB * 1024,
    netRxBytes: row.vif ? row.vif.txBytes : row.netTxKiB * 1024,
    diskReadRequests: row.vbdRd,
    diskWriteRequests: row.vbdWr,
    diskReadBytes: row.vbdRsect * SECTOR_BYTES,
    diskWriteBytes: row.vbdWsect * SECTOR_BYTES,
  };
  if (row.vif) {
    c.netTxPackets = row.vif.rxPackets;
    c.netRxPackets = row.vif.txPackets;
  }
  return c;
}
