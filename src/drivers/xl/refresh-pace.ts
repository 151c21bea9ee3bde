/**
 * How often the picture of the host is refreshed when nothing asks for it. A pause or unpause made
 * with xl behind our back raises no domain event (xenstored watches see domains built and
 * released, not paused), so it is seen at the next periodic `xl list -v`. The pace bounds two
 * things at once, from what the last listings cost:
 * - detection: from a change to the end of the listing that shows it takes at most one period
 *   plus one listing, so the period is `detectWithinMs` minus what a listing takes;
 * - CPU: the listings (xl's CPU and ours in reading them) take at most `maxCpuShare` of one CPU,
 *   so the period is at least their cost divided by that share.
 * When the two disagree (a host whose listing costs more than the share allows at that period) the
 * CPU bound wins and detection takes longer; `detectionMs()` says how long, and the driver logs it.
 * The period never exceeds `maxIntervalMs`.
 */
import { readFileSync } from 'node:fs';

export interface PaceOptions {
  /** From a change behind our back to the end of the listing that shows it, at most (ms). */
  detectWithinMs: number;
  /** The largest share of one CPU the periodic listings may take (0..1). */
  maxCpuShare: number;
  /** The longest period, whatever the listings cost. */
  maxIntervalMs: number;
}

/** The pace is reported at most this often (a listing's cost may hover around the bound under load). */
const REPORT_EVERY_MS = 60_000;
/** A listing never starts sooner than this after the last one ended (the event loop breathes). */
const MIN_GAP_MS = 25;
/** Weight of the newest listing in the running estimates (a slow listing or two only nudge the pace). */
const NEWEST = 0.3;

/**
 * While nobody waits to hear of changes (no indication subscriber), detection may take as long as
 * the longest period and the listings a twentieth of one CPU: reads are served from the picture
 * either way, and a host nobody watches closely is not polled at the prompt pace.
 */
const RELAXED_CPU_SHARE = 0.05;

export class RefreshPace {
  /** Someone waits for changes made behind our back (watchChanges): the given bounds apply. */
  private prompt = true;
  private wallMs = 0;
  private cpuMs = 0;
  private seen = false;
  /** Whether the last report said changes show late, and when it was made. */
  private slowReported = false;
  private reportedAt = -Infinity;

  constructor(private readonly given: PaceOptions) {}

  /** The bounds in force: the given ones while someone watches, relaxed ones otherwise. */
  private get opts(): PaceOptions {
    if (this.prompt) return this.given;
    return { ...this.given, detectWithinMs: this.given.maxIntervalMs, maxCpuShare: Math.min(RELAXED_CPU_SHARE, this.given.maxCpuShare) };
  }

  /** Whether someone waits for changes made behind our back; false relaxes the pace. Answers whether it changed. */
  setPrompt(prompt: boolean): boolean {
    if (prompt === this.prompt) return false;
    this.prompt = prompt;
    return true;
  }

  /** One listing: how long it took (ms) and the CPU it cost (ms, xl's and ours). */
  record(wallMs: number, cpuMs: number): void {
    if (!this.seen) {
      this.seen = true;
      this.wallMs = wallMs;
      this.cpuMs = cpuMs;
      return;
    }
    this.wallMs += NEWEST * (wallMs - this.wallMs);
    this.cpuMs += NEWEST * (cpuMs - this.cpuMs);
  }

  /** From the start of one listing to the start of the next. */
  periodMs(): number {
    const forDetection = this.opts.detectWithinMs - this.wallMs;
    const forCpu = this.cpuMs / this.opts.maxCpuShare;
    return Math.min(this.opts.maxIntervalMs, Math.max(forDetection, forCpu, MIN_GAP_MS));
  }

  /** The wait after a listing that took `lastWallMs`, so that listings start one period apart. */
  delayAfter(lastWallMs: number): number {
    return Math.max(MIN_GAP_MS, this.periodMs() - lastWallMs);
  }

  /** How long a change behind our back may now take to show (a period and a listing). */
  detectionMs(): number {
    return this.periodMs() + this.wallMs;
  }

  /** The share of one CPU the listings take at this pace. */
  cpuShare(): number {
    return this.cpuMs / Math.max(this.periodMs(), this.wallMs + MIN_GAP_MS);
  }

  /**
   * A line for the log when changes behind our back start to show well past the target (the CPU
   * bound won) or show in time again; at most one a minute.
   */
  report(now = performance.now()): string | undefined {
    if (now - this.reportedAt < REPORT_EVERY_MS) return undefined;
    const target = this.opts.detectWithinMs;
    const share = `${Math.round(100 * this.cpuShare())} %`;
    let line: string | undefined;
    if (!this.slowReported && this.detectionMs() > 1.25 * target) {
      line = `xl list -v takes ${Math.round(this.cpuMs)} ms of CPU: refreshed every ${Math.round(this.periodMs())} ms ` +
        `(${share} of one CPU), changes made behind the server's back show within ${Math.round(this.detectionMs())} ms (target ${target} ms)`;
    } else if (this.slowReported && this.withinTarget()) {
      line = `changes made behind the server's back show within ${target} ms again (${share} of one CPU)`;
    }
    if (line) {
      this.slowReported = !this.slowReported;
      this.reportedAt = now;
    }
    return line;
  }

  /** Whether changes are seen within `detectWithinMs` at this pace (false: the CPU bound won). */
  withinTarget(): boolean {
    return this.detectionMs() <= this.opts.detectWithinMs + 1;
  }
}

/**
 * CPU time (ms) of the children this process has waited for (Linux /proc: cutime + cstime, in
 * USER_HZ ticks of 10 ms); undefined where there is no /proc. The delta around an xl call is that
 * call's CPU when no other call ended meanwhile (callers bound it by the call's duration).
 */
export function childrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // The fields after the command name (which may hold spaces and parentheses); cutime is field 16.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * The CPU one listing cost: xl's (the children's CPU delta, at most the call's duration, since
 * other calls may have ended meanwhile) or, where it cannot be told (no /proc, an in-process
 * xl, a call shorter than a tick), its duration; plus `ownMs`, our own CPU in reading it.
 */
export function listingCpuMs(wallMs: number, childrenDeltaMs: number | undefined, ownMs: number): number {
  const xl = childrenDeltaMs !== undefined && childrenDeltaMs > 0 ? Math.min(childrenDeltaMs, wallMs) : wallMs;
  return xl + ownMs;
}
