/**
 * The tool calls (xl, xenstore, ip, ethtool, xentop) still running. A stop waits for them, bounded,
 * before it closes the store: a call left running past the stop would go on writing (xl's lock and
 * state files, our saves) into a directory its owner may already be removing or reusing.
 */
import type { RunOptions, RunResult, XlExecutor } from './runner.js';

export class CallsInFlight {
  private readonly running = new Set<Promise<unknown>>();

  get count(): number {
    return this.running.size;
  }

  /** The same executor, each of its calls counted here until it ends. */
  track(exec: XlExecutor): XlExecutor {
    const running = this.running;
    return {
      run(args: string[], opts?: RunOptions): Promise<RunResult> {
        const call = exec.run(args, opts);
        running.add(call);
        const done = (): void => { running.delete(call); };
        call.then(done, done);
        return call;
      },
      get calls() {
        return exec.calls;
      },
    };
  }

  /** Resolves once every call running now has ended, or after `withinMs`: true when none is left. */
  async settled(withinMs: number): Promise<boolean> {
    if (this.running.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, withinMs); });
    await Promise.race([Promise.allSettled([...this.running]), late]);
    clearTimeout(timer);
    return this.running.size === 0;
  }
}
