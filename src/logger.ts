/**
 * The process logger: pino, one JSON object per line on standard output (systemd's journal
 * keeps it), ISO timestamps and level names. Everything else receives the small Logger type.
 */
import { pino, stdTimeFunctions, type DestinationStream, type Logger as Pino } from 'pino';
import type { LogFields, Logger } from './operations/provider.js';
import type { LogLevel } from './http/log.js';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

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

export function createLogger(opts: { level?: LogLevel; destination?: DestinationStream } = {}): Logger {
  const p = pino({
    level: opts.level ?? 'info',
    timestamp: stdTimeFunctions.isoTime,
    base: { pid: process.pid },
    formatters: { level: (label) => ({ level: label }) },
  }, opts.destination);
  return wrap(p);
}
