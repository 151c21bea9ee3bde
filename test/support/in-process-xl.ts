/**
 * An XlExecutor over xl-sim in this process (src/sim/run-xl.ts): the same contract as XlRunner
 * (call counter, a timeout that "kills", cancellation by signal, and the same stderr → VirtError
 * mapping, settleXlCall) without a process per call. It also keeps the call log, so that a test
 * can assert which xl commands ran.
 */
import { checkXlArgs, settleXlCall, type RunOptions, type RunResult, type XlExecutor } from '../../src/drivers/xl/runner.js';
import { runXl, type XlSimResult } from '../../src/sim/run-xl.js';

export interface InProcessXlOptions {
  /** The simulated host's state directory (XL_SIM_STATE of bin/xl-sim). */
  stateDir: string;
  /** Other simulated hosts for `xl migrate` (XL_SIM_HOSTS). */
  hostsFile?: string;
  /** Working directory relative paths in arguments resolve against (default: process.cwd()). */
  cwd?: string;
  defaultTimeoutMs?: number;
}

export class InProcessXl implements XlExecutor {
  /** The arguments of every call, in order (refused arguments are not logged: nothing ran). */
  readonly log: string[][] = [];

  constructor(readonly opts: InProcessXlOptions) {}

  get calls(): number {
    return this.log.length;
  }

  async run(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    checkXlArgs(args);
    const timeoutMs = opts.timeoutMs ?? this.opts.defaultTimeoutMs ?? 120_000;
    this.log.push([...args]);
    const timer = new AbortController();
    const t = setTimeout(() => timer.abort(), timeoutMs);
    // The simulator opens its files in this process: that is where a reader looks (image-progress.ts).
    opts.onSpawn?.(process.pid);
    let r: XlSimResult;
    try {
      r = await runXl(args, {
        stateDir: this.opts.stateDir,
        ...(this.opts.hostsFile !== undefined ? { hostsFile: this.opts.hostsFile } : {}),
        ...(this.opts.cwd !== undefined ? { cwd: this.opts.cwd } : {}),
        signal: opts.signal ? AbortSignal.any([timer.signal, opts.signal]) : timer.signal,
        ...(opts.onStderr ? { onWrite: (fd: 1 | 2, text: string) => { if (fd === 2) opts.onStderr!(text); } } : {}),
      });
    } finally {
      clearTimeout(t);
    }
    const killed = r.exitCode === null;
    return settleXlCall({
      args, stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode ?? undefined, timeoutMs,
      timedOut: killed && timer.signal.aborted,
      cancelled: killed && !timer.signal.aborted,
    }, opts);
  }

  /** The calls whose first argument is `command` (e.g. 'network-detach'). */
  callsOf(command: string): string[][] {
    return this.log.filter((a) => a[0] === command);
  }
}
