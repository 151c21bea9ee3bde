/**
 * The ONE place that runs xl: execa with an argument array (never a shell), a timeout that kills,
 * stderr turned into a VirtError (settleXlCall, which in-process test runners share). Every argument must already have been validated (validate.ts);
 * the runner only refuses what could never be valid (NUL bytes, non-strings).
 */
import { execa } from 'execa';
import { VirtError } from '../../virt/errors.js';
import { startTurn } from './spawn-turns.js';
import { hasLibxlError, xlError } from './xl-errors.js';

export interface RunOptions {
  timeoutMs?: number;
  /** Do not treat `libxl: error:` lines as failure when xl exits 0 (e.g. `xl list -l` skipping a domain). */
  tolerateLibxlErrors?: boolean;
  /** Exit statuses that are not failures (besides 0). */
  okExitCodes?: number[];
  signal?: AbortSignal;
  /** Receives stderr as xl writes it (progress of long commands); the result still carries all of it. */
  onStderr?: (text: string) => void;
  /**
   * Called once xl runs, with the id of the process whose open files are xl's (a runner that runs
   * the simulator in this process gives this process's id): image-progress.ts follows it there.
   */
  onSpawn?: (pid: number) => void;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** What the driver needs from a runner; tests and benchmarks substitute fakes. */
export interface XlExecutor {
  run(args: string[], opts?: RunOptions): Promise<RunResult>;
  readonly calls: number;
}

export interface XlRunnerOptions {
  xlPath: string;
  /** Extra environment (e.g. XL_SIM_STATE); the process environment is passed through too. */
  env?: Record<string, string>;
  defaultTimeoutMs?: number;
  /** What the errors call the program (default `xl`): `ip`, `xenstore`, `ethtool` run through a runner of their own. */
  tool?: string;
}

/** Refuses what could never be a valid xl argument (NUL bytes, non-strings), before anything runs. */
export function checkXlArgs(args: readonly unknown[]): void {
  for (const a of args) {
    if (typeof a !== 'string' || a.includes('\0')) throw new VirtError('invalid_argument', 'refusing to pass a malformed argument to xl');
  }
}

/** How one xl call ended, whoever ran it (a child process here, an in-process simulator in tests). */
export interface XlOutcome {
  args: readonly string[];
  stdout: string;
  stderr: string;
  /** undefined: xl did not exit by itself (killed, or could not start). */
  exitCode: number | undefined;
  timedOut: boolean;
  timeoutMs: number;
  cancelled: boolean;
  /** Why xl could not run, when it did not exit for another reason than a timeout or cancel. */
  failure?: string;
  /** The program's name in errors (default `xl`). */
  tool?: string;
}

/** The result of a finished xl call, or the VirtError it amounts to (one mapping for every runner). */
export function settleXlCall(o: XlOutcome, opts: RunOptions = {}): RunResult {
  const { args, stdout, stderr } = o;
  const tool = o.tool ?? 'xl';
  if (o.timedOut) {
    throw new VirtError('timeout', `${tool} ${args[0]} did not finish within ${o.timeoutMs} ms and was killed`, stderr.trim() || undefined);
  }
  if (o.cancelled) throw new VirtError('failed', `${tool} ${args[0]} was cancelled`, stderr.trim() || undefined);
  if (o.exitCode === undefined) {
    // spawn failure (ENOENT...) or killed by a signal
    throw new VirtError('failed', `${tool} ${args[0]} could not run: ${o.failure ?? 'unknown error'}`, stderr.trim() || undefined);
  }
  const ok = o.exitCode === 0 || (opts.okExitCodes ?? []).includes(o.exitCode);
  // Several xl commands exit 0 yet failed: the libxl error line is the signal (docs/xl-toolstack.md §2).
  if (!ok || (!opts.tolerateLibxlErrors && hasLibxlError(stderr))) {
    const e = xlError(args, stderr, o.exitCode);
    throw tool === 'xl' ? e : new VirtError(e.kind, e.message.replace(/^xl /, `${tool} `), e.detail);
  }
  return { stdout, stderr, exitCode: o.exitCode };
}

/**
 * After its deadline xl is killed; its exit is awaited at most this much longer. A script or
 * helper xl started (a hotplug script, a bootloader) inherits its stdout and stderr and keeps
 * them open past xl's death, and a call waiting for them to close would outlive its deadline.
 */
const KILL_GRACE_MS = 1000;

export class XlRunner implements XlExecutor {
  private count = 0;
  constructor(private readonly opts: XlRunnerOptions) {}

  get calls(): number {
    return this.count;
  }

  async run(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    checkXlArgs(args);
    const timeout = opts.timeoutMs ?? this.opts.defaultTimeoutMs ?? 120_000;
    this.count++;
    // A burst of calls (a whole network launched) starts a few per turn: reads go on between.
    if (!(await startTurn(opts.signal))) {
      return settleXlCall({
        args, stdout: '', stderr: '', exitCode: undefined, timedOut: false, timeoutMs: timeout, cancelled: true,
        ...(this.opts.tool !== undefined ? { tool: this.opts.tool } : {}),
      }, opts);
    }
    const sub = execa(this.opts.xlPath, args, {
      env: this.opts.env,
      extendEnv: true,
      reject: false,
      timeout,
      killSignal: 'SIGKILL',
      stdin: 'ignore',
      stripFinalNewline: false,
      ...(opts.signal ? { cancelSignal: opts.signal } : {}),
    });
    if (opts.onSpawn && sub.pid !== undefined) opts.onSpawn(sub.pid);
    if (opts.onStderr) {
      const listener = opts.onStderr;
      sub.stderr?.on('data', (c: Buffer | string) => listener(c.toString()));
    }
    let late: NodeJS.Timeout | undefined;
    const abandoned = new Promise<undefined>((resolve) => { late = setTimeout(() => resolve(undefined), timeout + KILL_GRACE_MS); });
    const r = await Promise.race([sub, abandoned]).finally(() => clearTimeout(late));
    if (r === undefined) {
      // Killed at the deadline, yet its output is still held open: given up on, as timed out.
      sub.kill('SIGKILL');
      sub.stdout?.destroy();
      sub.stderr?.destroy();
      return settleXlCall({
        args, stdout: '', stderr: '', exitCode: undefined, timedOut: true, timeoutMs: timeout, cancelled: false,
        ...(this.opts.tool !== undefined ? { tool: this.opts.tool } : {}),
      }, opts);
    }
    return settleXlCall({
      args,
      stdout: typeof r.stdout === 'string' ? r.stdout : '',
      stderr: typeof r.stderr === 'string' ? r.stderr : '',
      exitCode: r.exitCode,
      timedOut: r.timedOut,
      timeoutMs: timeout,
      cancelled: r.isCanceled,
      failure: r.shortMessage ?? r.message,
      ...(this.opts.tool !== undefined ? { tool: this.opts.tool } : {}),
    }, opts);
  }
}
