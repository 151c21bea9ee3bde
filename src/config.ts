/** Server configuration: defaults, and where each value comes from (the command line). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS } from './http/connection-limits.js';
import type { LogLevel } from './http/index.js';

export interface ServerConfig {
  /** HTTP port (DSP0200 §A1: 5988); 0 picks a free one (tests). */
  port: number;
  /** HTTPS port (5989), served only when a certificate and key are configured. */
  httpsPort: number;
  tlsCert?: string;
  tlsKey?: string;
  /** Address to listen on; beyond loopback only with authentication. */
  listen: string;
  /** Our state: definitions, the simulator's host, users, audit log. */
  dataDir: string;
  /** The xl binary; default: the real xl on a Xen host, else the bundled xl-sim. */
  xlPath?: string;
  /**
   * Directories disks (and kernels, ramdisks) may be in; default /var/lib/xen/images and
   * `<data>/images`. Given: exactly these.
   */
  imageDirs?: string[];
  /**
   * Directories kernels, ramdisks and bootloaders may be in; default /usr/lib/xen-4.17/boot,
   * /usr/lib/xen-4.17/bin and /boot. Given: exactly these.
   */
  bootDirs?: string[];
  /** The users file; auth is on when it is given or `<data>/users.json` exists. */
  usersFile?: string;
  /** The host name put in returned object paths. */
  hostName?: string;
  /** Other hosts' WBEM endpoints (`--peer NAME=URL`), their credentials in `<data>/peers.json` (peers.ts). */
  peers?: { name: string; url: string }[];
  /** `xl migrate -s`: the command that reaches another host's control domain (default: xl's, `ssh`). */
  migrationSsh?: string;
  /** Seed a small demo network into a fresh simulator (npm start). */
  demo: boolean;
  /** Per-request timeout. */
  requestTimeoutMs: number;
  /**
   * No plain HTTP listener. Unset: HTTPS only beyond loopback (required there), plain HTTP
   * (and HTTPS when configured) on loopback.
   */
  httpsOnly?: boolean;
  /** Open connections at most, HTTP and HTTPS together. */
  maxConnections: number;
  /** Time a TLS client has to finish its handshake. */
  tlsHandshakeTimeoutMs: number;
  /** Process log level (the log is JSON lines on standard output). */
  logLevel: LogLevel;
  /** Metrics sampling interval (virt/metrics.ts); 0 disables sampling. */
  metricsIntervalMs: number;
  /** DSP1053 metric name → value above which a CIM_AlertIndication is sent (docs/metrics.md). */
  alertThresholds?: Record<string, number>;
}

/** The repository root (where mof/ and profiles/ live), found from this module's location. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Name and version, as package.json gives them (ProductName/ProductVersion, `--version`). */
export function productInfo(): { name: string; version: string } {
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  return { name: pkg.name, version: pkg.version };
}

export const DEFAULT_CONFIG: ServerConfig = {
  port: 5988,
  httpsPort: 5989,
  listen: '127.0.0.1',
  dataDir: './var',
  demo: true,
  requestTimeoutMs: 120_000,
  maxConnections: DEFAULT_MAX_CONNECTIONS,
  tlsHandshakeTimeoutMs: DEFAULT_HANDSHAKE_TIMEOUT_MS,
  logLevel: 'info',
  metricsIntervalMs: 10_000,
};
