/**
 * Our own CPU spent on one listing (what the refresh pace charges it besides xl's): counted only
 * while the listing's own work runs. process.cpuUsage() is the whole process's, so the time the
 * event loop gives other work between the listing's slices (requests answered meanwhile) is left
 * out with pause()/resume(), or with turn(), which yields the loop in between.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';

export class OwnCpu {
  private us: number;
  private since: NodeJS.CpuUsage | undefined = process.cpuUsage();

  /** Counting from now; `carriedUs`: CPU spent for it before (µs). */
  constructor(carriedUs = 0) {
    this.us = carriedUs;
  }

  pause(): void {
    if (this.since) this.us += cpuSince(this.since);
    this.since = undefined;
  }

  resume(): void {
    this.since ??= process.cpuUsage();
  }

  /** The event loop's turn for others, not counted. */
  readonly turn = async (): Promise<void> => {
    this.pause();
    await yieldToLoop();
    this.resume();
  };

  /** Counted so far (ms). */
  get ms(): number {
    return (this.us + (this.since ? cpuSince(this.since) : 0)) / 1000;
  }
}

/** CPU of the whole process since `start` (µs, user + system). */
export function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return d.user + d.system;
}
