/**
 * The process logger: pino, one JSON object per line on standard output (systemd's journal
 * keeps it), ISO timestamps and level names. On a terminal the same entries are shown as
 * text lines (`--log-format` chooses). Everything else receives the small Logger type.
 */
import { pino, stdTimeFunctions, type DestinationStream, type Logger as Pino } from 'pino';
import type { LogFields, Logger } from './operations/provider.js';
import { formatLine, type LogLevel } from './http/log.js';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
export type LogFormat = 'json' | 'text';

function wrap(p: Pino): Logger {
  const at = (fn: Pino['info']) => (msg: string, fields?: LogFields): void => {
    if (fields) fn.call(p, fields, msg);
    else fn.call(p, msg);
  };
  return {
    debug: at(p.debug), info: at(p.info), warn: at(p.warn), error: at(p.error),
    child: (bindings) => wrap(p.child(bindings)),
  };
}

/** C0 and C1 controls and DEL: a line break would forge an entry, an escape sequence drive the terminal. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const shown = (c: string): string => (c === '\n' ? '\\n' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/**
 * pino's JSON lines shown as `time [level] msg key=value …` (for people at a terminal). Messages
 * carry names clients chose (an indication filter's, a destination's URL): their control
 * characters are shown escaped, so an entry is always one line.
 */
export function textDestination(out: { write(s: string): unknown }): DestinationStream {
  return {
    write(line: string): void {
      const { time, level, msg, pid: _pid, ...fields } = JSON.parse(line) as Record<string, unknown>;
      out.write(`${String(time)} ${formatLine(level as LogLevel, String(msg ?? ''), fields).replace(CONTROL, shown)}\n`);
    },
  };
}

/** pino's JSON lines, as they are, on standard output. */
function jsonDestination(out: { write(s: string): unknown }): DestinationStream {
  return { write: (line: string): void => void out.write(line) };
}

let stdoutGuarded = false;

/**
 * Standard output that cannot be written must not take the server down with it. A reader that
 * went away (`xen-wbem serve | head`, a pipe closed, a journal restarted): the log lines have
 * nowhere to go, and the server goes on and stops when asked. pino's own destination retried a
 * broken pipe forever when it flushed at exit, so a stop that logged after the reader left never
 * ended; writing through process.stdout, an EPIPE is an 'error' event, dropped here. Any other
 * failure (a log file on a full disk: ENOSPC) is said once on standard error, and the server goes
 * on without its log.
 */
function guardStdout(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  process.stderr.on('error', () => { /* nowhere left to say anything */ });
  let told = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || told) return;
    told = true;
    process.stderr.write(`xen-wbem: standard output cannot be written (${e.code ?? e.message}): log lines are lost from here on\n`);
  });
}

export function createLogger(opts: { level?: LogLevel; format?: LogFormat; destination?: DestinationStream } = {}): Logger {
  const format = opts.format ?? (process.stdout.isTTY ? 'text' : 'json');
  if (!opts.destination) guardStdout();
  const destination = opts.destination ?? (format === 'text' ? textDestination(process.stdout) : jsonDestination(process.stdout));
  const p = pino({
    level: opts.level ?? 'info',
    timestamp: stdTimeFunctions.isoTime,
    base: { pid: process.pid },
    formatters: { level: (label) => ({ level: label }) },
  }, destination);
  return wrap(p);
}
