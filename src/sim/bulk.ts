// Many domains created in one transaction, each exactly as `xl create <file>` would (parsed by
// the same config builder, created by the same createDomain): a 10,000-domain host is set up in
// one state write instead of 10,000 xl processes. For benchmarks and tests, not an xl command.
import { buildConfig } from './config-build.js';
import { createDomain } from './create-domain.js';
import { loadState } from './store.js';
import { withHost } from './session.js';

export interface BulkDomain {
  /** xl.cfg(5) text, as a file given to `xl create` would hold. */
  cfg: string;
  paused?: boolean;
}

/** Create every domain in order; the first failure stops (with xl's message), earlier ones stay. */
export function createDomainsBulk(dir: string, domains: readonly BulkDomain[]): number {
  const host = loadState(dir, Date.now()).state.host;
  const configs = domains.map((d, i) => {
    const r = buildConfig(d.cfg, `bulk-${i}.cfg`, host);
    if (r.error !== undefined) throw new Error(`domain ${i}: ${r.error.trim()}`);
    return r.config!;
  });
  return withHost(dir, (ctx) => {
    for (let i = 0; i < configs.length; i++) {
      const res = createDomain(ctx, configs[i]!, { paused: domains[i]!.paused ?? false, monitor: true });
      if ('stderr' in res) throw new Error(`domain ${i}: ${res.stderr.trim()}`);
    }
    return configs.length;
  });
}
