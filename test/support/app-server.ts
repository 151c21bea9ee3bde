/**
 * Starts the whole application (the real providers over xl-sim) on an ephemeral loopback
 * port in a temporary data directory, as `npm start` would, for end-to-end tests. xl runs
 * in-process (the simulator's own code, no process per call) unless `xl: 'processes'` asks for
 * bin/xl-sim as the server runs it in production without Xen.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/app.js';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { addUser } from '../../src/http/users.js';
import { InProcessXl } from './in-process-xl.js';
import type { TestUser } from './test-server.js';
import { simStateDir, TEST_BRIDGES } from './xl-backend.js';

export interface AppServer {
  port: number;
  dataDir: string;
  server: RunningServer;
  log: string[];
  close(): Promise<void>;
}

export interface AppServerOptions {
  demo?: boolean;
  users?: TestUser[];
  hostName?: string;
  /** How xl runs: xl-sim in this process (default) or bin/xl-sim processes. */
  xl?: 'in-process' | 'processes';
  /** host.json of the simulated host; by default its guests go down 0.2 s after a shutdown request. */
  host?: Record<string, unknown>;
  /** Metrics sampling interval (default: the server's default). */
  metricsIntervalMs?: number;
  /** The data directory (default: a new temporary one); hosts of one test are siblings. */
  dataDir?: string;
  /** Other hosts' endpoints (`serve --peer`); their credentials go in `<data>/peers.json` beforehand. */
  peers?: { name: string; url: string }[];
  /** Keep the data directory on close (a restart reuses it). */
  keepData?: boolean;
  /** --alert-threshold values (DSP1053 metric name → value). */
  alertThresholds?: Record<string, number>;
  /** Shorter xl deadlines and staleness (hang tests). */
  xlTimings?: { commandTimeoutMs?: number; staleAfterMs?: number; refreshIntervalMs?: number };
  /** How long a snapshot method waits for its job before it answers 4096 (default: the server's 2 s). */
  snapshotWaitMs?: number;
}

export async function startAppServer(opts: AppServerOptions = {}): Promise<AppServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'xen-wbem-app-'));
  mkdirSync(simStateDir(dataDir), { recursive: true });
  writeFileSync(path.join(simStateDir(dataDir), 'host.json'), JSON.stringify({ bridges: TEST_BRIDGES, ...(opts.host ?? { shutdown_seconds: 0.2 }) }));
  let usersFile: string | undefined;
  if (opts.users?.length) {
    usersFile = path.join(dataDir, 'users.json');
    // A restart on the same data directory finds them there already.
    if (!existsSync(usersFile)) for (const u of opts.users) await addUser(usersFile, u.name, u.password, u.role);
  }
  const log: string[] = [];
  const server = await startServer(
    {
      ...DEFAULT_CONFIG,
      port: 0,
      dataDir,
      demo: opts.demo ?? false,
      hostName: opts.hostName ?? 'xenhost-test',
      ...(usersFile ? { usersFile } : {}),
      ...(opts.metricsIntervalMs !== undefined ? { metricsIntervalMs: opts.metricsIntervalMs } : {}),
      ...(opts.peers ? { peers: opts.peers } : {}),
      ...(opts.alertThresholds ? { alertThresholds: opts.alertThresholds } : {}),
    },
    (l) => log.push(l),
    {
      ...(opts.xl === 'processes' ? {} : { xlExecutor: new InProcessXl({ stateDir: simStateDir(dataDir), hostsFile: path.join(dataDir, 'xl-sim-hosts.json') }) }),
      ...(opts.xlTimings ? { xlTimings: opts.xlTimings } : {}),
      ...(opts.snapshotWaitMs !== undefined ? { snapshotWaitMs: opts.snapshotWaitMs } : {}),
    },
  );
  return {
    port: server.httpPort,
    dataDir,
    server,
    log,
    async close() {
      await server.close();
      if (!opts.keepData) rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    },
  };
}
