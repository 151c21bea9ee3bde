/**
 * The ONE place that runs xl: execa with an argument array (never a shell), a timeout that kills,
 * stderr turned into a VirtError. Every argument must already have been validated (validate.ts);
 * the runner only refuses what could never be valid (NUL bytes, non-strings).
 */
import { execa } from 'execa';
import { VirtError } from '../../virt/errors.js';
import { hasLibxlError, xlError } from './xl-errors.js';

export interface RunOptions {
  timeoutMs?: number;
  /** Do not treat `libxl: error:` lines as failure when xl exits 0 (e.g. `xl list -l` skipping a domain). */
  tolerateLibxlErrors?: boolean;
  /** Exit statuses that are not failures (besides 0). */
  okExitCodes?: number[];
  signal?: AbortSignal;
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
}

export class XlRunner implements XlExecutor {
  private count = 0;
  constructor(private readonly opts: XlRunnerOptions) {}

  get calls(): number {
    return this.count;
  }

  async run(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    for (const a of args) {
      if (typeof a !== 'string' || a.includes('\0')) throw new VirtError('invalid_argument', 'refusing to pass a malformed argument to xl');
    }
    const timeout = opts.timeoutMs ?? this.opts.defaultTimeoutMs ?? 120_000;
    this.count++;
    const r = await execa(this.opts.xlPath, args, {
      env: this.opts.env,
      extendEnv: true,
      reject: false,
      timeout,
      killSignal: 'SIGKILL',
      stdin: 'ignore',
      stripFinalNewline: false,
      ...(opts.signal ? { cancelSignal: opts.signal } : {}),
    });
    const stdout = typeof r.stdout === 'string' ? r.stdout : '';
    const stderr = typeof r.stderr === 'string' ? r.stderr : '';
    if (r.timedOut) {
      throw new VirtError('timeout', `xl ${args[0]} did not finish within ${timeout} ms and was killed`, stderr.trim() || undefined);
    }
    if (r.isCanceled) throw new VirtError('failed', `xl ${args[0]} was cancelled`, stderr.trim() || undefined);
    if (r.exitCode === undefined) {
      // spawn failure (ENOENT...) or killed by a signal
      throw new VirtError('failed', `xl ${args[0]} could not run: ${r.shortMessage ?? r.message ?? 'unknown error'}`, stderr.trim() || undefined);
    }
    const ok = r.exitCode === 0 || (opts.okExitCodes ?? []).includes(r.exitCode);
    // xl-reference §0.4: several commands exit 0 yet failed; the libxl error line is the signal.
    if (!ok || (!opts.tolerateLibxlErrors && hasLibxlError(stderr))) throw xlError(args, stderr, r.exitCode);
    return { stdout, stderr, exitCode: r.exitCode };
  }
}
