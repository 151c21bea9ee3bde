/**
 * Which xl runs: the real one on a Xen control domain, else the bundled simulator.
 * A Xen host is recognised by /proc/xen/capabilities containing control_d or by /dev/xen/privcmd,
 * and needs an xl binary. Otherwise <repo>/bin/xl-sim with XL_SIM_STATE=<dataDir>/xl-sim.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface XlChoice {
  xlPath: string;
  simulated: boolean;
  env: Record<string, string>;
  /** iproute2's `ip` on a real host (the simulator answers `xl-sim ip ...` itself). */
  ipPath?: string;
  /** The dom0 tools beside xl on a real host: the multi-call `xenstore`, and `ethtool`. */
  xenstorePath?: string;
  ethtoolPath?: string;
}

export interface DetectOptions {
  dataDir: string;
  /** Overridable for tests. */
  capabilitiesFile?: string;
  privcmdFile?: string;
  searchPaths?: string[];
  ipSearchPaths?: string[];
}

const XL_PATHS = ['/usr/sbin/xl', '/usr/local/sbin/xl', '/sbin/xl'];
const IP_PATHS = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];
const XENSTORE_PATHS = ['/usr/bin/xenstore', '/usr/sbin/xenstore', '/usr/local/bin/xenstore'];
const ETHTOOL_PATHS = ['/usr/sbin/ethtool', '/sbin/ethtool', '/usr/bin/ethtool'];

export function isXenControlDomain(capabilitiesFile = '/proc/xen/capabilities', privcmdFile = '/dev/xen/privcmd'): boolean {
  try {
    if (readFileSync(capabilitiesFile, 'utf8').includes('control_d')) return true;
  } catch {
    // not mounted / not Xen
  }
  return existsSync(privcmdFile);
}

/** <repo>/bin/xl-sim, found by walking up from this module (works from src/ and dist/src/). */
export function simulatorPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'bin', 'xl-sim');
    if (existsSync(candidate) && existsSync(join(dir, 'package.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('bin/xl-sim not found above ' + fileURLToPath(import.meta.url));
}

/** iproute2's `ip` on this machine, if any. */
export function findIp(searchPaths = IP_PATHS): string | undefined {
  return searchPaths.find((p) => existsSync(p));
}

/** The other dom0 tools the driver runs on a real host, where installed. */
export function hostTools(): { ipPath?: string; xenstorePath?: string; ethtoolPath?: string } {
  const ip = findIp();
  const xs = XENSTORE_PATHS.find((p) => existsSync(p));
  const et = ETHTOOL_PATHS.find((p) => existsSync(p));
  return { ...(ip ? { ipPath: ip } : {}), ...(xs ? { xenstorePath: xs } : {}), ...(et ? { ethtoolPath: et } : {}) };
}

export function detectXl(opts: DetectOptions): XlChoice {
  if (isXenControlDomain(opts.capabilitiesFile, opts.privcmdFile)) {
    const xl = (opts.searchPaths ?? XL_PATHS).find((p) => existsSync(p));
    const ip = findIp(opts.ipSearchPaths);
    if (xl) return { xlPath: xl, simulated: false, env: {}, ...hostTools(), ...(ip ? { ipPath: ip } : {}) };
  }
  // The simulator opens no TLS connection, yet Node reads the whole CA store at start-up when
  // NODE_EXTRA_CA_CERTS names a file (about 30 ms of CPU per xl call); an empty value skips it.
  return { xlPath: simulatorPath(), simulated: true, env: { XL_SIM_STATE: join(opts.dataDir, 'xl-sim'), NODE_EXTRA_CA_CERTS: '' } };
}
