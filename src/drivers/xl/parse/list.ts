/**
 * `xl list` and `xl list -v` tables. Data rows have no tabs: split on
 * whitespace and take the name as everything before the fixed trailing fields (names may hold spaces).
 */
export interface DomainFlags {
  running: boolean;
  blocked: boolean;
  paused: boolean;
  shutdown: boolean;
  /** Only when shutdown: poweroff, reboot, suspend, crash, watchdog, soft_reset, unknown. */
  shutdownReason?: ShutdownReason;
  dying: boolean;
}

export type ShutdownReason = 'poweroff' | 'reboot' | 'suspend' | 'crash' | 'watchdog' | 'soft_reset' | 'unknown';

export interface ListRow {
  name: string;
  domid: number;
  memMiB: number;
  vcpus: number;
  state: string;
  flags: DomainFlags;
  cpuTimeSec: number;
  uuid?: string;
  /** `-v` only: shutdown reason code, undefined when not shut down. */
  reasonCode?: number;
}

const REASONS: Record<string, ShutdownReason> = {
  '-': 'poweroff', r: 'reboot', s: 'suspend', c: 'crash', w: 'watchdog', S: 'soft_reset', '?': 'unknown',
};

/** The 6-letter state column: r b p s <reason> d. */
export function parseStateFlags(state: string): DomainFlags {
  const s = state.padEnd(6, '-');
  const shutdown = s[3] === 's';
  const flags: DomainFlags = {
    running: s[0] === 'r',
    blocked: s[1] === 'b',
    paused: s[2] === 'p',
    shutdown,
    dying: s[5] === 'd',
  };
  if (shutdown) flags.shutdownReason = REASONS[s[4] ?? '?'] ?? 'unknown';
  return flags;
}

export function parseList(text: string): ListRow[] {
  const lines = text.split('\n');
  const rows: ListRow[] = [];
  let verbose = false;
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    if (/^Name\s+ID\s+Mem\s+VCPUs/.test(line)) {
      verbose = /UUID/.test(line);
      continue;
    }
    const parts = line.trim().split(/\s+/);
    const tail = verbose ? 8 : 5;
    if (parts.length < tail + 1) continue;
    const f = parts.slice(parts.length - tail);
    const name = line.trim().split(/\s+/).slice(0, parts.length - tail).join(' ');
    const domid = Number(f[0]);
    if (!Number.isInteger(domid)) continue;
    const state = f[3]!;
    const row: ListRow = {
      name,
      domid,
      memMiB: Number(f[1]),
      vcpus: Number(f[2]),
      state,
      flags: parseStateFlags(state),
      cpuTimeSec: Number(f[4]),
    };
    if (verbose) {
      row.uuid = f[5]!;
      if (f[6] !== '-') row.reasonCode = parseInt(f[6]!, 16);
    }
    rows.push(row);
  }
  return rows;
}
