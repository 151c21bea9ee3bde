// The two ways to run xl-sim, one implementation: `bin/xl-sim` (main.ts: a process, output on
// fds 1 and 2, options from the environment) and runXl() (in this process, output captured per
// call, options passed in; for tests and benchmarks). Both run execute() below.
import { basename, resolve } from 'node:path';
import { dispatch } from './dispatch.js';
import type { Globals } from './globals.js';
import { runInvocation, runSoleInvocation } from './invocation.js';
import { err, Exit, Killed } from './io.js';

export interface XlSimOptions {
  /** State directory of the host (the process reads XL_SIM_STATE). Relative: to `cwd`. */
  stateDir: string;
  /** JSON file naming other hosts for `xl migrate` (the process reads XL_SIM_HOSTS). */
  hostsFile?: string;
  /** Working directory: relative paths in the arguments resolve against it. Default: process.cwd(). */
  cwd?: string;
  /** Aborting it is the caller killing xl: a wait (hang, slow, shutdown -w, xentop -d) ends at once. */
  signal?: AbortSignal;
  /** The name xl-sim was invoked as (argv[0]); basename `xentop` means xentop's batch mode. */
  invokedAs?: string;
  /** Sees every write as it happens (progress of a long command); the result still has it all. */
  onWrite?: (fd: 1 | 2, text: string) => void;
  /** The only invocation of this process (the process entry): no AsyncLocalStorage needed. */
  sole?: boolean;
}

export interface XlSimResult {
  stdout: string;
  stderr: string;
  /** Exit status; null when the signal aborted the call before it finished (a killed process). */
  exitCode: number | null;
}

/** Runs one xl command line, writing through `write`; the exit status, or null when killed. */
export async function execute(argv: string[], opts: XlSimOptions, write: (fd: 1 | 2, text: string) => void): Promise<number | null> {
  const cwd = opts.cwd ?? process.cwd();
  const self = basename(opts.invokedAs ?? '');
  const g: Globals = {
    dir: resolve(cwd, opts.stateDir),
    hostsFile: opts.hostsFile === undefined ? undefined : resolve(cwd, opts.hostsFile),
    dryrun: false, verbose: 0, force: false,
  };
  const inv = { cwd, write, ...(opts.signal ? { signal: opts.signal } : {}) };
  if (opts.signal?.aborted) return null;
  return (opts.sole ? runSoleInvocation : runInvocation)(inv, async () => {
    try {
      return await dispatch(argv, g, self === 'xentop' || self === 'xentop.js');
    } catch (e) {
      if (e instanceof Exit) return e.code;
      if (e instanceof Killed) return null;
      err(`xl-sim: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
      return 1;
    }
  });
}

/**
 * xl-sim in this process: the same command code as `bin/xl-sim`, with stdout and stderr
 * captured for this call only. Many calls may run at once (the state lock is never held
 * across a wait); a `hang` fault settles only when `signal` aborts.
 */
export async function runXl(argv: string[], opts: XlSimOptions): Promise<XlSimResult> {
  const chunks: { 1: string[]; 2: string[] } = { 1: [], 2: [] };
  const exitCode = await execute(argv, opts, (fd, text) => { chunks[fd].push(text); opts.onWrite?.(fd, text); });
  return { stdout: chunks[1].join(''), stderr: chunks[2].join(''), exitCode };
}
