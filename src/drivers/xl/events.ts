/**
 * An optional source of domain events: on a real Xen host xenstored fires the special watches
 * `@introduceDomain` (a domain was built: create, restore, incoming migration) and
 * `@releaseDomain` (a domain shut down, crashed or was cleaned up). The events carry no domid,
 * may coalesce and may be spurious: each one only asks for a refresh of the picture of the host,
 * which re-lists the domains. `xenstore-watch @introduceDomain @releaseDomain` prints one line per
 * event (the first two echo the registrations). The watcher is restarted when it ends, with a
 * back-off; it is a process with an argument array, never a shell. The registration echoes come at
 * once from every watcher that starts, so they do not prove it healthy: only a line after it has
 * stayed up `HEALTHY_AFTER_MS` (or a run that long) resets the back-off, or a watcher that dies
 * right after registering would be restarted, and reported, every second forever.
 */
import { execa, type ResultPromise } from 'execa';

export interface DomainEventsOptions {
  /** The watcher and its arguments; default `xenstore-watch @introduceDomain @releaseDomain`. */
  command?: string;
  args?: string[];
  /** Events within this window make one refresh (default 50 ms). */
  coalesceMs?: number;
}

export const DEFAULT_WATCH = { command: 'xenstore-watch', args: ['@introduceDomain', '@releaseDomain'] };
const MAX_RESTART_MS = 30_000;
/** A watcher up this long has registered and survived: its lines are events, its end not a crash loop. */
const HEALTHY_AFTER_MS = 1000;

export class DomainEvents {
  private child: ResultPromise | undefined;
  private stopped = false;
  private restartMs = 1000;
  private timer: NodeJS.Timeout | undefined;
  private failedReported = false;
  events = 0;

  constructor(
    private readonly opts: DomainEventsOptions,
    private readonly onEvent: () => void,
    private readonly log: (level: 'info' | 'warn', message: string) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.spawn();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.child?.kill('SIGTERM');
    this.child = undefined;
  }

  private spawn(): void {
    const command = this.opts.command ?? DEFAULT_WATCH.command;
    const args = this.opts.args ?? DEFAULT_WATCH.args;
    const child = execa(command, args, { stdin: 'ignore', stderr: 'ignore', buffer: false, reject: false });
    this.child = child;
    const startedAt = performance.now();
    const healthy = (): boolean => performance.now() - startedAt >= HEALTHY_AFTER_MS;
    let pending: NodeJS.Timeout | undefined;
    let partial = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      if (lines.length === 0) return;
      this.events += lines.length;
      if (healthy()) this.recovered(command);
      if (pending) return;
      pending = setTimeout(() => {
        pending = undefined;
        this.onEvent();
      }, this.opts.coalesceMs ?? 50);
      pending.unref();
    });
    void child.then((r) => {
      if (this.child !== child || this.stopped) return;
      this.child = undefined;
      // A watcher that ran a long while before it ended is restarted promptly; a crash loop backs off.
      if (performance.now() - startedAt >= MAX_RESTART_MS) this.restartMs = 1000;
      if (!this.failedReported) {
        this.failedReported = true;
        const why = r.failed ? (r.shortMessage ?? 'failed') : `exited with status ${r.exitCode}`;
        this.log('warn', `domain events: ${command} ${why}; changes behind our back are seen at the next periodic refresh; retrying`);
      }
      this.timer = setTimeout(() => this.spawn(), this.restartMs);
      this.timer.unref();
      this.restartMs = Math.min(this.restartMs * 2, MAX_RESTART_MS);
    });
  }

  /** A watcher up a while delivers lines: restarts are prompt again, and a reported failure is over. */
  private recovered(command: string): void {
    this.restartMs = 1000;
    if (this.failedReported) {
      this.failedReported = false;
      this.log('info', `domain events: ${command} delivers events again`);
    }
  }
}
