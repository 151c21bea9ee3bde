/**
 * Wiring (DESIGN §2): the only place that names concrete drivers and providers. Builds the
 * repository from mof/, the virtualization layer over xl (or xl-sim), the providers, the
 * operations engine and the HTTP front, and starts them.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, createWriteStream } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { Repository } from './repository/index.js';
import { compileMofFile } from './mof/index.js';
import { parseEmbeddedObject } from './cimxml/index.js';
import { Operations, ProviderRegistry } from './operations/index.js';
import { createHttpApp, createAuthenticator, startServers, type RunningServers } from './http/index.js';
import { createXlDriver, detectXl, type XlExecutor } from './drivers/xl/index.js';
import { JobManager, VirtManager } from './virt/index.js';
import { createProviders } from './providers/index.js';
import type { ProfileRegistration, ProviderDeps } from './providers/context.js';
import { INTEROP_NS, VIRT_NS } from './providers/naming.js';
import { createDispatcher } from './dispatcher.js';
import { seedDemoNetwork } from './demo.js';
import { PROJECT_ROOT, type ServerConfig } from './config.js';
import type { CimRequestHandler } from './http/index.js';

/** Finished jobs stay visible this long (CIM_ConcreteJob.TimeBeforeRemoval, DSP1103). */
const JOB_RETENTION_MS = 5 * 60_000;

export interface BuiltServer {
  repository: Repository;
  operations: Operations;
  virt: VirtManager;
  handler: CimRequestHandler;
  /** Whether requests must authenticate (a users file is configured). */
  usersFile: string | undefined;
  close(): Promise<void>;
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

export function productInfo(): { name: string; version: string } {
  const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  return { name: pkg.name, version: pkg.version };
}

/** For tests only: how to run xl instead of a process per call (e.g. xl-sim in-process). */
export interface TestHooks {
  xlExecutor?: XlExecutor;
}

/** Builds everything behind the HTTP front. */
export async function buildServer(config: ServerConfig, log: (line: string) => void, hooks: TestHooks = {}): Promise<BuiltServer> {
  const t0 = performance.now();
  const dataDir = path.resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });

  const repository = new Repository();
  const schemaMs = await loadSchema(repository);

  const choice = config.xlPath ? undefined : detectXl({ dataDir });
  const driver = createXlDriver({
    dataDir, ...(config.xlPath ? { xlPath: config.xlPath } : {}), ...(hooks.xlExecutor ? { executor: hooks.xlExecutor } : {}),
  });
  const jobs = new JobManager(JOB_RETENTION_MS);
  const virt = new VirtManager(driver, { jobs });
  const report = await virt.init();
  log(`backend: ${hooks.xlExecutor ? 'injected xl executor' : config.xlPath ?? choice!.xlPath}${choice?.simulated ? ' (simulator)' : ''}; ` +
    `reconcile: ${JSON.stringify(report)}`);
  if (config.demo && choice?.simulated) await seedDemoNetwork(virt, log);

  const host = config.hostName ?? (await virt.hostInfo()).name ?? hostname();
  const deps: ProviderDeps = {
    virt, jobs, repository, hostName: host, profiles: loadProfiles(), product: productInfo(), log,
  };
  const defaultUsers = path.join(dataDir, 'users.json');
  const usersFile = config.usersFile ?? (existsSync(defaultUsers) ? defaultUsers : undefined);
  const registry = new ProviderRegistry();
  const providers = createProviders(deps, { authentication: usersFile ? 'basic' : 'none', jobRetentionMs: JOB_RETENTION_MS });
  for (const { namespace, provider } of providers) registry.register(namespace, provider);

  const audit = createWriteStream(path.join(dataDir, 'audit.log'), { flags: 'a', mode: 0o600 });
  const operations = new Operations({
    repository,
    registry,
    parseEmbeddedObject,
    hostName: host,
    audit: (entry) => audit.write(`${new Date().toISOString()} ${JSON.stringify(entry)}\n`),
  });
  const handler = createDispatcher({ operations, hostName: host, log });

  log(`schema compiled in ${schemaMs.toFixed(0)} ms; ready in ${(performance.now() - t0).toFixed(0)} ms`);
  return {
    repository, operations, virt, handler, usersFile,
    async close() {
      operations.close();
      await new Promise<void>((resolve) => audit.end(resolve));
    },
  };
}

/** Builds and starts listening (HTTP, and HTTPS when a certificate is configured). */
export async function startServer(config: ServerConfig, log: (line: string) => void, hooks: TestHooks = {}): Promise<RunningServer> {
  const built = await buildServer(config, log, hooks);
  const auth = built.usersFile ? createAuthenticator(built.usersFile) : null;
  const app = createHttpApp({ handler: built.handler, auth, limits: { requestTimeoutMs: config.requestTimeoutMs }, log });
  let servers: RunningServers;
  try {
    servers = await startServers(app, {
      listen: config.listen,
      port: config.port,
      ...(config.tlsCert && config.tlsKey ? { httpsPort: config.httpsPort, tlsCert: config.tlsCert, tlsKey: config.tlsKey } : {}),
      auth: auth !== null,
    });
  } catch (e) {
    await built.close();
    throw e;
  }
  const where = `http://${config.listen}:${servers.httpPort}/cimom` +
    (servers.httpsPort ? ` and https://${config.listen}:${servers.httpsPort}/cimom` : '');
  log(`xen-wbem serving ${where}${auth ? ' (Basic auth)' : ' (no auth: loopback only)'}`);
  return {
    ...built,
    httpPort: servers.httpPort,
    ...(servers.httpsPort !== undefined ? { httpsPort: servers.httpsPort } : {}),
    async close() {
      await servers.close();
      await built.close();
    },
  };
}
