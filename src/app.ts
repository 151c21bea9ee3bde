/**
 * Wiring: the only place that names concrete drivers and providers. Builds the
 * repository from mof/, the virtualization layer over xl (or xl-sim), the providers, the
 * operations engine and the HTTP front, and starts them.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { createSecureContext } from 'node:tls';
import path from 'node:path';
import { Repository } from './repository/index.js';
import { compileMofFile } from './mof/index.js';
import { parseEmbeddedObject } from './cimxml/index.js';
import { Operations, ProviderRegistry } from './operations/index.js';
import {
  asLogger, createHttpApp, createAuthenticator, servesPlainHttp, assertPortsFree, startServers, type LogLine, type RunningServers,
} from './http/index.js';
import { parseUsers } from './http/users.js';
import {
  XlRunner, createXlDriver, FileNetworkStore, DEFAULT_BOOT_DIRS, DEFAULT_IMAGE_DIRS, detectXl, isXenControlDomain, type XlExecutor,
} from './drivers/xl/index.js';
import { JobManager, VirtError, VirtManager } from './virt/index.js';
import { networkPages } from './topology/index.js';
import { INTEROP_NS, type ProfileRegistration, type ProviderDeps, VIRT_NS, createProviders } from './providers/index.js';
import { createDispatcher } from './dispatcher.js';
import { ensureDemoBridges, seedDemoNetwork } from './demo.js';
import { PROJECT_ROOT, productInfo, type ServerConfig } from './config.js';
import type { CimRequestHandler } from './http/index.js';
import type { Logger } from './operations/provider.js';
import { acquireDataLock } from './data-lock.js';
import { openAuditLog, type AuditLog } from './audit-log.js';
import { createPrometheusExport } from './prometheus.js';
import { NotDurableError, isTempName, writeFileAtomic } from './drivers/xl/atomic-file.js';
import { IndicationDelivery } from './indication-delivery.js';
import {
  DELIVERY_RETRY_ATTEMPTS, DELIVERY_RETRY_INTERVAL_S, SUBSCRIPTION_REMOVAL_TIME_INTERVAL_S, listenerUnreachable, startLifecycleIndications,
} from './providers/dsp1054-indications/index.js';
import { copyFile, readFile } from 'node:fs/promises';
import { CimPeer, loadPeers, simulatorHosts } from './peers.js';

/** A file read whole and replaced atomically (temp file, fsync, rename). */
function textFile(file: string, warn: (m: string) => void): { read(): Promise<string | undefined>; write(text: string): Promise<void>; keepCopy(): Promise<string> } {
  return {
    read: () => readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    }),
    // Replaced but its directory not synced: the file holds the new text, so the write counts as
    // made (a caller undoing it in memory would disagree with the file, and with the next start).
    write: (text) => writeFileAtomic(file, text).catch((e: unknown) => {
      if (!(e instanceof NotDurableError)) throw e;
      warn(`${e.message}: kept, it may not survive a crash of the host`);
    }),
    keepCopy: async () => {
      const copy = `${file}.corrupt-${Date.now()}`;
      await copyFile(file, copy);
      return copy;
    },
  };
}

/** Temp files a writer killed half-way left in the data directory itself (atomic-file.ts names them). */
function removeLeftTempFiles(dataDir: string, warn: (m: string) => void): void {
  for (const entry of readdirSync(dataDir)) {
    if (!isTempName(entry)) continue;
    try {
      unlinkSync(path.join(dataDir, entry));
    } catch (e) {
      warn(`could not remove the leftover temp file ${entry}: ${(e as Error).message}`);
    }
  }
}

/** Finished jobs stay visible this long (CIM_ConcreteJob.TimeBeforeRemoval, DSP1103). */
const JOB_RETENTION_MS = 5 * 60_000;

/** How a stop treats the jobs still running. */
export interface StopOptions {
  /**
   * Wait this long for running jobs to end, then cancel those left (a cancel stops xl and undoes
   * what it half did) and wait a little more: each job ends, and is audited, before the driver
   * closes. Without it (0) the jobs are left to the process's end, which kills xl mid-command.
   */
  drainMs?: number;
}

/** After the cancel, how long a stop waits for the cancelled jobs to end. */
const CANCEL_WAIT_MS = 3_000;

const within = (p: Promise<unknown>, ms: number): Promise<boolean> => new Promise((resolve) => {
  const t = setTimeout(() => resolve(false), ms);
  void p.then(() => { clearTimeout(t); resolve(true); });
});

/** Lets running jobs end (or cancels them, past `drainMs`) before a stop closes what they use. */
async function drainJobs(jobs: JobManager, drainMs: number, log: Logger): Promise<void> {
  const running = jobs.list().filter((j) => !j.finished);
  if (running.length === 0) return;
  const ended = Promise.allSettled(running.map((j) => j.done));
  log.info('stopping: waiting for running jobs', { jobs: running.map((j) => j.name), ms: drainMs });
  if (await within(ended, drainMs)) return;
  const cancelled = running.filter((j) => j.cancel('cancelled: the server is stopping'));
  if (cancelled.length > 0) log.warn('stopping: jobs cancelled', { jobs: cancelled.map((j) => j.name) });
  if (!(await within(ended, CANCEL_WAIT_MS))) {
    log.error('stopping: jobs still running are cut short', { jobs: running.filter((j) => !j.finished).map((j) => j.name) });
  }
}

export interface BuiltServer {
  repository: Repository;
  operations: Operations;
  virt: VirtManager;
  handler: CimRequestHandler;
  /** Whether requests must authenticate (a users file is configured). */
  usersFile: string | undefined;
  audit: AuditLog;
  close(opts?: StopOptions): Promise<void>;
}

export interface RunningServer extends BuiltServer {
  httpPort: number;
  httpsPort?: number;
}

/** Loads the schema of both namespaces; returns the time it took. */
export async function loadSchema(repository: Repository): Promise<number> {
  const t0 = performance.now();
  repository.addNamespace(VIRT_NS);
  repository.addNamespace(INTEROP_NS);
  await compileMofFile(path.join(PROJECT_ROOT, 'mof', 'virt.mof'), repository, { namespace: VIRT_NS });
  await compileMofFile(path.join(PROJECT_ROOT, 'mof', 'interop.mof'), repository, { namespace: INTEROP_NS });
  return performance.now() - t0;
}

export function loadProfiles(dir = path.join(PROJECT_ROOT, 'profiles')): ProfileRegistration[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as ProfileRegistration);
}

/**
 * The users file: the one given (which must exist and parse: a typo would otherwise start a
 * server that refuses everyone), else `<data>/users.json` when present; undefined: no auth.
 */
export function resolveUsersFile(config: ServerConfig, log?: Logger): string | undefined {
  const given = config.usersFile;
  const file = given ?? path.join(path.resolve(config.dataDir), 'users.json');
  if (!existsSync(file)) {
    if (given === undefined) return undefined;
    throw new Error(`users file ${given} does not exist (create it with: xen-wbem user add NAME --role admin --users ${given})`);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the users file ${file}: ${(e as Error).message}`);
  }
  const users = parseUsers(text, file);
  if (users.length === 0) log?.warn('users file lists no users: every request will be refused', { file });
  // Password hashes can be attacked offline: `user add` writes the file 0600, a copy made by hand may not be.
  if ((statSync(file).mode & 0o077) !== 0) log?.warn('the users file can be read by other users of this host: chmod 600 it', { file });
  return file;
}

/** For tests only: how to run xl instead of a process per call (e.g. xl-sim in-process). */
export interface TestHooks {
  xlExecutor?: XlExecutor;
  /** Shorter xl deadlines, staleness and refresh pace than a host needs, so hang tests take seconds. */
  xlTimings?: { commandTimeoutMs?: number; staleAfterMs?: number; refreshIntervalMs?: number };
  /** How long a snapshot method waits for its job before it answers 4096 (default 2 s). */
  snapshotWaitMs?: number;
}

/** Builds everything behind the HTTP front. */
export async function buildServer(config: ServerConfig, log: Logger | LogLine, hooks: TestHooks = {}): Promise<BuiltServer> {
  const t0 = performance.now();
  const logger = asLogger(log);
  const logLine = (line: string): void => logger.info(line);
  const dataDir = path.resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  // First of all: a second server on this directory must stop here, before it repairs anything.
  const lock = acquireDataLock(dataDir);
  let audit: AuditLog | undefined;
  try {
    removeLeftTempFiles(dataDir, (m) => logger.warn(m));
    const usersFile = resolveUsersFile(config, logger);
    const repository = new Repository();

    const choice = config.xlPath ? undefined : detectXl({ dataDir });
    // DSP1081: the other hosts (peers.ts); with the simulator, `xl migrate` finds their state directories here.
    const peers = loadPeers(dataDir, config.peers ?? []);
    const simHosts = path.join(dataDir, 'xl-sim-hosts.json');
    if (choice?.simulated && peers.length > 0) writeFileSync(simHosts, JSON.stringify(simulatorHosts(peers), null, 2) + '\n');
    const driver = createXlDriver({
      ...(choice?.simulated ? { env: { XL_SIM_HOSTS: simHosts } } : {}),
      ...(config.migrationSsh !== undefined ? { migrationSsh: config.migrationSsh } : {}),
      dataDir, ...(config.xlPath ? { xlPath: config.xlPath } : {}), ...(hooks.xlExecutor ? { executor: hooks.xlExecutor } : {}),
      ...(hooks.xlTimings ?? {}),
      paths: {
        imageDirs: config.imageDirs ?? [...DEFAULT_IMAGE_DIRS, path.join(dataDir, 'images')],
        bootDirs: config.bootDirs ?? DEFAULT_BOOT_DIRS,
      },
      log: (level, message) => logger[level](message),
      // On a Xen control domain, xenstored's domain events trigger a refresh between the periodic ones.
      ...(!hooks.xlExecutor && isXenControlDomain() ? { domainEvents: {} } : {}),
    });
    const jobs = new JobManager(JOB_RETENTION_MS);
    const virt = new VirtManager(driver, {
      jobs, log: (line) => logger.warn(line), metricsIntervalMs: config.metricsIntervalMs ?? 0, networkStore: new FileNetworkStore(dataDir),
    });
    // The host is listed (xl's time, in child processes) while the schema compiles (ours).
    const initDone = virt.init();
    initDone.catch(() => {}); // awaited just below; a failure is thrown from there
    let schemaMs: number;
    try {
      schemaMs = await loadSchema(repository);
    } catch (e) {
      // Let the host's reading end before the lock goes (the caller's catch releases it).
      await initDone.then(() => driver.close(), () => {});
      throw e;
    }
    const report = await initDone;
    const snap = virt.snapshotRecovery;
    if (snap && (snap.undone.length || snap.finished.length || snap.removed.length || snap.quarantined.length || snap.failed.length)) {
      logger.warn(`snapshots cut short by the last stop: ${JSON.stringify(snap)}`);
    }
    logLine(`backend: ${hooks.xlExecutor ? 'injected xl executor' : config.xlPath ?? choice!.xlPath}${choice?.simulated ? ' (simulator)' : ''}; ` +
      `reconcile: ${JSON.stringify(report)}`);
    if (config.demo && choice?.simulated) {
      const sim = hooks.xlExecutor ?? new XlRunner({ xlPath: choice.xlPath, env: choice.env });
      const created = await ensureDemoBridges((args) => sim.run(['ip', ...args]));
      if (created.length > 0) {
        driver.invalidate();
        logLine(`demo bridges created: ${created.join(', ')}`);
      }
      await seedDemoNetwork(virt, logLine, path.join(dataDir, 'demo-seeding'));
    }
    virt.metrics.start();

    audit = openAuditLog(path.join(dataDir, 'audit.log'), logger);
    const auditLog = audit;
    // Every job's end: a log line (a warning when it failed) and an audit entry.
    jobs.onChange((job) => {
      if (!job.finished) return;
      auditLog.jobEnded({
        job: job.id, name: job.name, target: job.target, state: job.state as 'completed' | 'failed' | 'terminated',
        ...(job.error ? { error: job.error.message } : {}),
      });
    });

    const host = config.hostName ?? (await virt.hostInfo()).name ?? hostname();
    const deps: ProviderDeps = {
      virt, jobs, repository, hostName: host, profiles: loadProfiles(), product: productInfo(),
      authentication: usersFile ? 'basic' : 'none', jobRetentionMs: JOB_RETENTION_MS, log: logLine,
      indicationStore: textFile(path.join(dataDir, 'subscriptions.json'), (m) => logger.warn(m)),
      peers: peers.map((p) => new CimPeer(p)),
      ...(config.alertThresholds ? { alertThresholds: config.alertThresholds } : {}),
      ...(hooks.snapshotWaitMs !== undefined ? { snapshotWaitMs: hooks.snapshotWaitMs } : {}),
    };
    const registry = new ProviderRegistry();
    for (const { namespace, provider } of createProviders(deps)) registry.register(namespace, provider);
    // DSP1054: lifecycle indications of the subscriptions, delivered off the request path.
    const delivery = new IndicationDelivery({
      retryAttempts: DELIVERY_RETRY_ATTEMPTS, retryIntervalMs: DELIVERY_RETRY_INTERVAL_S * 1000, log: logLine,
      removalIntervalMs: SUBSCRIPTION_REMOVAL_TIME_INTERVAL_S * 1000, onUnreachable: (id) => void listenerUnreachable(deps, id).catch(() => {}),
    });
    const stopIndications = await startLifecycleIndications(deps, (d, i) => delivery.send(d, i));

    const operations = new Operations({
      repository,
      registry,
      parseEmbeddedObject,
      hostName: host,
      audit: (entry) => auditLog.change(entry),
      log: (m) => logger.warn(m),
    });
    const handler = createDispatcher({ operations, hostName: host, log: logger });

    logLine(`schema compiled in ${schemaMs.toFixed(0)} ms; ready in ${(performance.now() - t0).toFixed(0)} ms`);
    return {
      repository, operations, virt, handler, usersFile, audit,
      async close(opts: StopOptions = {}) {
        // The lock goes whatever else fails: a clean stop must never leave the directory locked.
        try {
          if (opts.drainMs !== undefined && opts.drainMs > 0) await drainJobs(jobs, opts.drainMs, logger);
          stopIndications();
          delivery.stop();
          virt.metrics.stop();
          await driver.close();
          operations.close();
          await auditLog.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (e) {
    await audit?.close();
    lock.release();
    throw e;
  }
}

/**
 * Throws, naming the file and the option, when the certificate or key cannot be read or used
 * together (not PEM, a key of another certificate): found before the data directory is touched,
 * not after the whole start.
 */
async function assertUsableTls(certFile: string, keyFile: string): Promise<void> {
  const read = (file: string, what: string): Promise<Buffer> => readFile(file).catch((e: Error) => {
    throw new Error(`cannot read the TLS ${what} ${file}: ${e.message}`);
  });
  const [cert, key] = await Promise.all([read(certFile, 'certificate (--tls-cert)'), read(keyFile, 'key (--tls-key)')]);
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    throw new Error(`the TLS certificate ${certFile} and key ${keyFile} (--tls-cert, --tls-key) cannot be used: ${(e as Error).message}`);
  }
}

/** Builds and starts listening (HTTP, and HTTPS when a certificate is configured). */
export async function startServer(config: ServerConfig, log: Logger | LogLine, hooks: TestHooks = {}): Promise<RunningServer> {
  const logger = asLogger(log);
  const tls = config.tlsCert && config.tlsKey ? { tlsCert: config.tlsCert, tlsKey: config.tlsKey } : {};
  const listenOpts = {
    listen: config.listen, ...tls, ...(config.httpsOnly !== undefined ? { httpsOnly: config.httpsOnly } : {}),
  };
  // Refuse a configuration that cannot serve, or a port taken, before touching the data directory.
  const plain = servesPlainHttp({ ...listenOpts, auth: resolveUsersFile(config) !== undefined });
  if (tls.tlsCert && tls.tlsKey) await assertUsableTls(tls.tlsCert, tls.tlsKey);
  await assertPortsFree(config.listen, [...(plain ? [config.port] : []), ...(tls.tlsCert ? [config.httpsPort] : [])]);
  const built = await buildServer(config, logger, hooks);
  const auth = built.usersFile
    ? createAuthenticator(built.usersFile, { log: logger, onFailure: (f) => built.audit.loginFailed(f) })
    : null;
  const app = createHttpApp({
    handler: built.handler, auth, limits: { requestTimeoutMs: config.requestTimeoutMs }, log: logger,
    // Reads are served from the driver's picture even while xl hangs: the backend answers only
    // while that picture is current.
    health: {
      probe: async () => {
        const f = built.virt.freshness();
        if (f?.stale) throw new Error(`the picture of the host is stale (${f.lastError ?? `${Math.round(f.ageMs / 1000)} s old`})`);
        return built.virt.hostInfo();
      },
    },
    metrics: createPrometheusExport(built.virt),
    pages: [networkPages({
      list: () => built.virt.networks.list(),
      picture: (name) => built.virt.networks.picture(name).catch((e: unknown) => {
        if (VirtError.is(e, 'not_found')) return undefined;
        throw e;
      }),
    })],
  });
  let servers: RunningServers;
  try {
    servers = await startServers(app, {
      ...listenOpts,
      port: config.port,
      ...(config.tlsCert && config.tlsKey ? { httpsPort: config.httpsPort } : {}),
      auth: auth !== null,
      maxConnections: config.maxConnections,
      handshakeTimeoutMs: config.tlsHandshakeTimeoutMs,
      log: logger,
    });
  } catch (e) {
    await built.close();
    throw e;
  }
  const urls = [
    ...(servers.httpPort ? [`http://${config.listen}:${servers.httpPort}/cimom`] : []),
    ...(servers.httpsPort ? [`https://${config.listen}:${servers.httpsPort}/cimom`] : []),
  ];
  logger.info(`xen-wbem serving ${urls.join(' and ')}${auth ? ' (Basic auth)' : ' (no auth: loopback only)'}`);
  return {
    ...built,
    httpPort: servers.httpPort,
    ...(servers.httpsPort !== undefined ? { httpsPort: servers.httpsPort } : {}),
    async close(opts: StopOptions = {}) {
      try {
        await servers.close();
      } finally {
        await built.close(opts);
      }
    },
  };
}
