/**
 * CIM datetime (DSP0004 §5.2.4): a timestamp `yyyymmddhhmmss.mmmmmmsutc` (utc = offset in minutes)
 * or an interval `ddddddddhhmmss.mmmmmm:000`. Asterisks may stand for insignificant digits; we keep
 * the text as given and interpret it only when asked.
 */
const TIMESTAMP = /^([\d*]{4})([\d*]{2})([\d*]{2})([\d*]{2})([\d*]{2})([\d*]{2})\.([\d*]{6})([+-])(\d{3})$/;
const INTERVAL = /^([\d*]{8})([\d*]{2})([\d*]{2})([\d*]{2})\.([\d*]{6}):000$/;

/**
 * DSP0004 §5.2.4 field ranges, per regex group: month 01-12, day 01-31, hours 00-23, minutes and
 * seconds 00-59 (a timestamp); hours, minutes and seconds likewise in an interval. A field given
 * as asterisks is insignificant and not checked. Without this, 20241301… would be read as the
 * January after.
 */
type Range = readonly [group: number, field: string, min: number, max: number];
const TIMESTAMP_RANGES: readonly Range[] = [[2, 'month', 1, 12], [3, 'day', 1, 31], [4, 'hours', 0, 23], [5, 'minutes', 0, 59], [6, 'seconds', 0, 59]];
const INTERVAL_RANGES: readonly Range[] = [[2, 'hours', 0, 23], [3, 'minutes', 0, 59], [4, 'seconds', 0, 59]];

/** The first field out of its range, described; undefined when all are within. */
function outOfRange(m: RegExpExecArray, ranges: readonly Range[]): string | undefined {
  for (const [group, field, min, max] of ranges) {
    const f = m[group]!;
    if (f.includes('*')) continue;
    const n = Number(f);
    const w = f.length;
    if (n < min || n > max) return `${field} ${f} is out of range (${String(min).padStart(w, '0')}-${String(max).padStart(w, '0')})`;
  }
  return undefined;
}

/** Text shaped like a timestamp or an interval: which, and the field out of range if one is. */
function shapeOf(t: string): { isInterval: boolean; problem: string | undefined } | undefined {
  const ts = TIMESTAMP.exec(t);
  if (ts) return { isInterval: false, problem: outOfRange(ts, TIMESTAMP_RANGES) };
  const iv = INTERVAL.exec(t);
  return iv ? { isInterval: true, problem: outOfRange(iv, INTERVAL_RANGES) } : undefined;
}

export class CimDateTime {
  private constructor(readonly text: string, readonly isInterval: boolean) {}

  /** Parses DSP0004 text; returns undefined when it is not a datetime. */
  static tryParse(text: string): CimDateTime | undefined {
    const t = text.trim();
    const shape = shapeOf(t);
    return shape && shape.problem === undefined ? new CimDateTime(t, shape.isInterval) : undefined;
  }

  /** Why `text`, shaped like a datetime, is not one (a field out of range); undefined otherwise. */
  static rangeProblem(text: string): string | undefined {
    return shapeOf(text.trim())?.problem;
  }

  static fromDate(d: Date, offsetMinutes = 0): CimDateTime {
    const local = new Date(d.getTime() + offsetMinutes * 60000);
    const p = (n: number, w: number) => String(n).padStart(w, '0');
    const sign = offsetMinutes < 0 ? '-' : '+';
    const text =
      p(local.getUTCFullYear(), 4) + p(local.getUTCMonth() + 1, 2) + p(local.getUTCDate(), 2) +
      p(local.getUTCHours(), 2) + p(local.getUTCMinutes(), 2) + p(local.getUTCSeconds(), 2) + '.' +
      p(local.getUTCMilliseconds() * 1000, 6) + sign + p(Math.abs(offsetMinutes), 3);
    return new CimDateTime(text, false);
  }

  /** An interval of `ms` milliseconds (microsecond field from the fractional part). */
  static interval(ms: number): CimDateTime {
    const totalMicros = Math.max(0, Math.round(ms * 1000));
    const micros = totalMicros % 1_000_000;
    let secs = Math.floor(totalMicros / 1_000_000);
    const days = Math.floor(secs / 86400);
    secs -= days * 86400;
    const h = Math.floor(secs / 3600);
    const m = Math.floor((secs % 3600) / 60);
    const s = secs % 60;
    const p = (n: number, w: number) => String(n).padStart(w, '0');
    return new CimDateTime(`${p(days, 8)}${p(h, 2)}${p(m, 2)}${p(s, 2)}.${p(micros, 6)}:000`, true);
  }

  /** The timestamp as a Date (asterisks read as zero), or undefined for an interval. */
  toDate(): Date | undefined {
    if (this.isInterval) return undefined;
    const m = TIMESTAMP.exec(this.text)!;
    const n = (s: string) => Number(s.replace(/\*/g, '0'));
    const utc = Date.UTC(n(m[1]!), n(m[2]!) - 1, n(m[3]!), n(m[4]!), n(m[5]!), n(m[6]!), Math.floor(n(m[7]!) / 1000));
    const offset = Number(m[9]) * (m[8] === '-' ? -1 : 1);
    return new Date(utc - offset * 60000);
  }

  /** The interval in milliseconds (asterisks read as zero), or undefined for a timestamp. */
  toMilliseconds(): number | undefined {
    if (!this.isInterval) return undefined;
    const m = INTERVAL.exec(this.text)!;
    const n = (s: string) => Number(s.replace(/\*/g, '0'));
    return ((n(m[1]!) * 24 + n(m[2]!)) * 60 + n(m[3]!)) * 60000 + n(m[4]!) * 1000 + n(m[5]!) / 1000;
  }

  toString(): string {
    return this.text;
  }

  equals(other: CimDateTime): boolean {
    return this.text === other.text;
  }
}
