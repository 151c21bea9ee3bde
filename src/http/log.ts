/**
 * Logging seen from http/: the structured Logger the wiring hands out, or a plain line function
 * (tests, embedders) adapted to it. A line reads `[level] message key=value …`.
 */
import type { LogFields, Logger } from '../operations/provider.js';

export type LogLine = (line: string) => void;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function fieldText(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (v instanceof Error) return JSON.stringify(v.message);
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/** One entry as one line: info entries without a prefix, the other levels tagged. */
export function formatLine(level: LogLevel, msg: string, fields: LogFields | undefined): string {
  let s = level === 'info' ? msg : `[${level}] ${msg}`;
  if (fields) for (const [k, v] of Object.entries(fields)) if (v !== undefined) s += ` ${k}=${fieldText(v)}`;
  return s;
}

/** A Logger writing formatted lines to `write`, from `level` up (default: everything). */
export function lineLogger(write: LogLine, level: LogLevel = 'debug', bindings: LogFields = {}): Logger {
  const min = RANK[level];
  const at = (l: LogLevel) => (msg: string, fields?: LogFields): void => {
    if (RANK[l] < min) return;
    write(formatLine(l, msg, Object.keys(bindings).length ? { ...bindings, ...fields } : fields));
  };
  return {
    debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'),
    child: (b) => lineLogger(write, level, { ...bindings, ...b }),
  };
}

const nothing = (): void => {};
export const SILENT: Logger = { debug: nothing, info: nothing, warn: nothing, error: nothing, child: () => SILENT };

export function asLogger(log: Logger | LogLine | undefined): Logger {
  if (log === undefined) return SILENT;
  return typeof log === 'function' ? lineLogger(log) : log;
}
