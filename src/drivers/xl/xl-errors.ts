/**
 * xl's diagnostics → VirtError kinds. Matches message text, never libxl file:line prefixes
 * (they differ between builds). Order matters: first match wins.
 */
import { VirtError, type VirtErrorKind } from '../../virt/errors.js';

const RULES: ReadonlyArray<[RegExp, VirtErrorKind]> = [
  // No hypervisor / no xenstored: the toolstack itself is unusable
  [/cannot init xl context|Can't find hypervisor information|Could not obtain handle/i, 'failed'],
  // A disk target, kernel or ramdisk that does not exist (or cannot be loaded) is a bad argument, not a missing system
  [/failed to stat|Unable to set disk defaults|xc_dom_(kernel_file|ramdisk_file|\{kernel_file\/ramdisk_file\}) failed/i, 'invalid_argument'],
  // create or rename of a name in use (before not_found: a failed duplicate create also logs clean-up "No such file" lines)
  [/already exists/i, 'conflict'],
  // Unknown domain names and ids
  [/is an invalid domain identifier|does not exist|Non-existant domain|No such process|unable to get domain type for domid|maybe this domain does not exist/i, 'not_found'],
  [/Unknown device|not connected|Can't open restore file|No such file or directory/i, 'not_found'],
  // Autoballoon could not make room (create, restore, mem-set)
  [/failed to free memory|not enough memory|Cannot allocate memory|rc=-5\b/i, 'no_memory'],
  // Unpausing a running domain; no PV control interface for a clean shutdown
  [/Unpausing domain: Invalid argument|PV control interface not available|external graceful .* not possible/i, 'invalid_state'],
  [/guest didn't acknowledge|timed out|rc=-9\b|rc=-8\b/i, 'timeout'],
  [/\block(ed| file)?\b|Resource temporarily unavailable|EAGAIN/i, 'busy'],
  // Arguments xl refused (memory, vCPUs, scheduler, devices)
  [/invalid memory size|must be less than or equal|must be greater than or or equal|out of range|overcomm+itting|Requested \d+ VCPUs|Invalid argument|config parsing error|invalid rate|Invalid parameter|not a valid number|unrecognized argument|not supported\.|requires at least|below the minimum threshold/i, 'invalid_argument'],
];

export function classifyXlError(text: string): VirtErrorKind {
  for (const [re, kind] of RULES) if (re.test(text)) return kind;
  return 'failed';
}

/** The meaningful lines of xl's stderr: no progress chatter, no warnings. */
export function errorLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((l) => l.replace(/\r$/, '').trimEnd())
    .filter((l) => l !== '' && !/^Parsing config from |^Shutting down domain |^Rebooting domain |^Saving to |^Loading new save file|^ Savefile contains|^libxl: (warning|info|notice|detail|debug|verbose|progress):|^Waiting for /.test(l));
}

/** True when xl reported a libxl error even if it exited 0 (several commands do). */
export function hasLibxlError(stderr: string): boolean {
  return /^libxl: (error|critical):/m.test(stderr);
}

export function xlError(args: readonly string[], stderr: string, exitCode: number | undefined): VirtError {
  const lines = errorLines(stderr);
  const text = lines.join('\n') || stderr.trim();
  const kind = classifyXlError(text);
  // xl's own last word; else the first error libxl logged (the cause: what follows it is often the
  // clean-up of a half-made domain failing in turn, such as xenstore reads of its removed paths).
  const last = lines.filter((l) => !l.startsWith('libxl:')).pop()
    ?? lines.find((l) => /^libxl: (error|critical):/.test(l)) ?? lines[lines.length - 1] ?? `exit status ${exitCode}`;
  const short = last.replace(/^libxl: \w+: [^:]+:\d+:[^:]+: (Domain \d+:)?/, '');
  return new VirtError(kind, `xl ${args[0] ?? ''} failed: ${short}`, stderr.trim() || `exit status ${exitCode}`);
}
