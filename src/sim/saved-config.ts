/**
 * The configuration that `xl save` and `xl migrate` put in their stream: the domain's live
 * configuration, or the one read from an optional config file given on the command line
 * (docs/xl-toolstack.md §7).
 */
import { readFileSync } from 'node:fs';
import { buildConfig } from './config-build.js';
import { strerror } from './create-domain.js';
import { liveConfig } from './domain-factory.js';
import type { Domain, HostState } from './host-state.js';
import { err, hostPath } from './io.js';

/** The configuration to embed, or undefined after printing xl's error for a bad config file. */
export function configToEmbed(s: HostState, d: Domain, cfgFile: string | undefined): Record<string, any> | undefined {
  if (cfgFile === undefined) return liveConfig(s, d);
  let text: string;
  try {
    text = readFileSync(hostPath(cfgFile), 'utf8');
  } catch (e) {
    err(`Failed to read config file: ${cfgFile}: ${strerror((e as NodeJS.ErrnoException).code)}\n`);
    return undefined;
  }
  const r = buildConfig(text, cfgFile, s.host);
  if (r.error !== undefined) {
    err(r.error);
    return undefined;
  }
  return r.config!;
}
