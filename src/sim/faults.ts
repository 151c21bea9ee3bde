/*
 * Fault injection for xl-sim. File `faults.json` in the state directory, re-read on every call:
 *
 *   {
 *     "rules": [
 *       { "command": "create", "mode": "fail" | "hang" | "slow" | "crash",
 *         "count": 1, "delay_ms": 2000, "stderr": "optional override text", "exit_code": 1 }
 *     ],
 *     "crash": ["domname"],
 *     "unreadable_config": ["domname"],
 *     "free_memory_mib": 0
 *   }
 *
 * rules   - matched on the xl sub-command (first non-option argument; "xentop" for the
 *           xentop pseudo-command). The first matching rule applies. `count` is decremented
 *           on each match and persisted; exhausted rules are removed. Omitted count = 1,
 *           -1 = forever.
 *             fail: print xl's real error text for that command (or `stderr`, printed
 *                   verbatim plus a newline if it lacks one) and exit with xl's status for
 *                   that failure (or `exit_code`). No state changes.
 *             hang: sleep forever (the caller's timeout must kill the process). The state
 *                   lock is not held while hanging.
 *             slow: sleep delay_ms (default 1000), then behave normally.
 *             crash: the process dies half-way (status 139, as by SIGSEGV, nothing more printed);
 *                   only `migrate` models it (after its pre-copy, before the hand-over: the
 *                   domain keeps running at the sender, nothing is left at the target); with
 *                   "at": "handover", between the target's write and the sender's (the
 *                   sender's next transaction finishes the hand-over: handover.ts); other
 *                   commands run normally.
 *             handshake: only `migrate`: the link to the target breaks after the sender gave it
 *                   permission to start the domain. xl prints its final-handshake warning and
 *                   exits 1; the sender's copy stays, suspended, as <name>--migratedaway. With
 *                   "started": true (the default) the target started its copy; with false it
 *                   never got the permission and destroyed it.
 * crash   - domains (by name) that crash at the next call: state 'c' (shutdown reason 3),
 *           then their on_crash action is applied; each name is removed from the list once
 *           applied (names of domains that do not exist yet stay armed).
 * unreadable_config - domains (by name) whose libxl configuration cannot be retrieved (their
 *           userdata file is missing, e.g. created by another toolstack): `xl list -l` skips them
 *           with libxl's error line on stderr and still exits 0, as xl does.
 * free_memory_mib - when present, the host behaves as if at most that much memory were free
 *           (`xl info free_memory`, create, mem-set, restore and incoming migration).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWrite } from './store.js';

export interface FaultRule {
  command: string;
  mode: 'fail' | 'hang' | 'slow' | 'crash' | 'handshake';
  /** `handshake`: whether the target started its copy before the link broke (default true). */
  started?: boolean;
  /** `crash` of `migrate`: before the hand-over (default), or in it, between the two hosts' writes. */
  at?: 'precopy' | 'handover';
  count?: number;
  delay_ms?: number;
  stderr?: string;
  exit_code?: number;
}

export interface Faults {
  rules?: FaultRule[];
  crash?: string[];
  unreadable_config?: string[];
  free_memory_mib?: number;
}

const FILE = 'faults.json';

export function readFaults(dir: string): Faults | null {
  const path = join(dir, FILE);
  // Read at every call: asking first spares the exception a missing file (the usual case) costs.
  if (!existsSync(path)) return null;
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch { return null; }
  try {
    const f = JSON.parse(text) as Faults;
    return f && typeof f === 'object' ? f : null;
  } catch {
    return null; // a half-written or invalid file injects nothing
  }
}

export function writeFaults(dir: string, f: Faults): void {
  atomicWrite(join(dir, FILE), JSON.stringify(f, null, 2) + '\n');
}

/** Find and consume the rule for `command` (caller holds the state lock). */
export function takeRule(dir: string, command: string): FaultRule | null {
  const f = readFaults(dir);
  if (!f || !Array.isArray(f.rules)) return null;
  const idx = f.rules.findIndex((r) => r && r.command === command);
  if (idx < 0) return null;
  const rule = { ...f.rules[idx]! };
  const count = rule.count ?? 1;
  if (count !== -1) {
    if (count <= 1) f.rules.splice(idx, 1);
    else f.rules[idx] = { ...f.rules[idx]!, count: count - 1 };
    writeFaults(dir, f);
  }
  return rule;
}

/** Is this domain's configuration unretrievable (fault `unreadable_config`)? */
export function configUnreadable(f: Faults | null, name: string): boolean {
  return !!f && Array.isArray(f.unreadable_config) && f.unreadable_config.includes(name);
}

export function freeMemoryFault(f: Faults | null): number | undefined {
  return f && typeof f.free_memory_mib === 'number' ? f.free_memory_mib : undefined;
}
