// Resolving `xl migrate <Domain> <host>` destinations to simulated hosts (state dirs):
// the hosts file (env XL_SIM_HOSTS) is JSON {"hostB": "/path/to/hostB-state", ...} (relative
// paths are relative to that file); otherwise, or when the name is not listed there, a sibling
// directory <dirname(XL_SIM_STATE)>/<host> that already holds a simulator state.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { hasState } from './store.js';

export function resolveHost(name: string, stateDir: string, hostsFile: string | undefined): string | null {
  const reg = hostsFile;
  if (reg) {
    try {
      const map = JSON.parse(readFileSync(reg, 'utf8')) as Record<string, unknown>;
      const v = map[name];
      if (typeof v === 'string' && v !== '') return resolve(dirname(resolve(reg)), v);
    } catch { /* unreadable registry: fall through */ }
  }
  if (name === '' || name.includes('/') || name === '.' || name === '..') return null;
  const sib = join(dirname(stateDir), name);
  return hasState(sib) ? sib : null;
}
