/**
 * `xen-wbem serve` as an operator runs it, in its own process: on an ephemeral port, JSON logs,
 * resolved once it logs that it serves. No forced SIGKILL after a SIGTERM (execa's default
 * would hide a stop that hangs).
 */
import { execa, type ResultPromise } from 'execa';
import path from 'node:path';
import { REPO_ROOT } from './test-server.js';

export const XEN_WBEM_BIN = path.join(REPO_ROOT, 'bin', 'xen-wbem');

export interface Serving {
  proc: ResultPromise;
  port: number;
  /** The log entries so far (one parsed JSON line each); more arrive while it runs. */
  lines: Record<string, unknown>[];
}

/**
 * Starts `serve --port 0 --log-format json --data DATA --no-demo` with `extra` options. With
 * `ownGroup`, the server leads a process group of its own, which the xl-sim processes it starts
 * join and stay in after a kill -9 of the server: killGroup ends them all.
 */
export function serveProcess(data: string, extra: string[] = [], opts: { ownGroup?: boolean } = {}): Promise<Serving> {
  const proc = execa(XEN_WBEM_BIN, ['serve', '--port', '0', '--log-format', 'json', '--data', data, '--no-demo', ...extra],
    { reject: false, buffer: false, forceKillAfterDelay: false, ...(opts.ownGroup ? { detached: true } : {}) });
  const lines: Record<string, unknown>[] = [];
  return new Promise((resolve, reject) => {
    let pending = '';
    proc.stdout!.on('data', (c: Buffer) => {
      pending += c.toString();
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const entry = JSON.parse(pending.slice(0, nl)) as Record<string, unknown>;
        pending = pending.slice(nl + 1);
        lines.push(entry);
        const m = /^xen-wbem serving http:\/\/[^:]+:(\d+)\//.exec(String(entry.msg));
        if (m) resolve({ proc, port: Number(m[1]), lines });
      }
    });
    void proc.then((r) => reject(new Error(`serve exited (${r.exitCode}): ${String(r.stderr ?? '')}`)));
  });
}

/**
 * Kills, with SIGKILL, the process group a server started with `ownGroup` leads (the server if it
 * still runs, and every xl it started that outlived it), and resolves once none is left: nothing
 * writes into its data directory afterwards.
 */
export async function killGroup(s: Serving): Promise<void> {
  const pgid = s.proc.pid;
  if (pgid === undefined) return;
  const alive = (): boolean => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false; // ESRCH: the group is empty
    }
  };
  for (const until = Date.now() + 10_000; alive() && Date.now() < until;) {
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* emptied meanwhile */ }
    await new Promise((r) => setTimeout(r, 20));
  }
  await s.proc;
}
