/**
 * CIM datetime (DSP0004 §5.2.4): a timestamp `yyyymmddhhmmss.mmmmmmsutc` (utc = offset in minutes)
 * or an interval `ddddddddhhmmss.mmmmmm:000`. Asterisks may stand for insignificant digits; we keep
 * the text as given and interpret it only when asked.
 */
const TIMESTAMP = /^([\d*]{4})([\d*]{2})([\d*]{2})([\d*]{2})([\d*]{2})([\d*]{2})\.([\d*]{6})([+-])(\d{3})$/;
const INTERVAL = /^([\d*]{8})([\d*]{2})([\d*]{2})([\d*]{2})\.([\d*]{6}):000$/;

export class CimDateTime {
  private constructor(readonly text: string, readonly isInterval: boolean) {}

  /** Parses DSP0004 text; returns undefined when it is not a datetime. */
  static tryParse(text: string): CimDateTime | undefined {
    const t = text.trim();
    if (TIMESTAMP.test(t)) return new CimDateTime(t, false);
    if (INTERVAL.test(t)) return new CimDateTime(t, true);
    return undefined;
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
