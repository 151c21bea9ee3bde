/**
 * A real world for the provider tests: the compiled schema of both namespaces, a VirtManager
 * over the xl driver in a temp dir, the profiles of profiles/, every profile's providers as the
 * application wires them (src/providers/index.ts), and an Operations engine over them. Requests
 * go through Operations, typed as a client's would be.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  CimError, CimInstance, type CimInstanceName, type CimValue, type ClassNameRef, type ExtrinsicResult, type IntrinsicRequest,
  type IntrinsicResult, NameMap, type ParamValue, classNameRef,
} from '../../src/cim/index.js';
import { parseEmbeddedObject } from '../../src/cimxml/index.js';
import { type TestDriverOptions, createTestDriver } from '../support/xl-backend.js';
import { compileMofFile } from '../../src/mof/index.js';
import {
  type InstanceProvider, Operations, type Principal, ProviderRegistry, type ProviderContext,
} from '../../src/operations/index.js';
import { type ProfileRegistration, type ProviderDeps, INTEROP_NS, VIRT_NS, createProviders } from '../../src/providers/index.js';
import { computerSystemName, vsmsName as vsmsNameOf } from '../../src/providers/shared/naming.js';
import { Repository } from '../../src/repository/index.js';
import { type HypervisorDriver, JobManager, type TargetState, VirtManager } from '../../src/virt/index.js';

// dist/test/providers → the repository root is three levels up.
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const HOST = 'testhost';
export const admin: Principal = { name: 't', role: 'admin' };

/** The bridges of the provider tests' host: each is a network pool, whether a NIC uses it or not. */
export const PROVIDER_BRIDGES = ['xenbr0', 'xenbr1', 'xenbr2', 'br1'];

/**
 * The hypervisor backend of every provider test, created here and nowhere else: the xl driver
 * over a simulated host in `dataDir` (`host` overrides the simulator's host settings).
 */
export function xlBackend(dataDir: string, host: Record<string, unknown> = {}, driver: TestDriverOptions = {}): HypervisorDriver {
  const simState = path.join(dataDir, 'xl-sim');
  mkdirSync(simState, { recursive: true });
  const settings = path.join(simState, 'host.json');
  if (!existsSync(settings)) writeFileSync(settings, JSON.stringify({ shutdown_seconds: 0.2, bridges: PROVIDER_BRIDGES, ...host }));
  return createTestDriver(dataDir, { commandTimeoutMs: 10_000, snapshotTtlMs: 200, ...driver });
}

export interface World {
  dir: string;
  deps: ProviderDeps;
  virt: VirtManager;
  jobs: JobManager;
  driver: HypervisorDriver;
  repository: Repository;
  registry: ProviderRegistry;
  ops: Operations;
  logs: string[];
  /** A provider context as operations/ gives one (its CIMOM handle answers through Operations). */
  ctx(ns?: string): ProviderContext;
  /** The one provider serving `className` in `ns` (a test error when several do). */
  provider(className: string, ns?: string): InstanceProvider;
  /** Instances of exactly `className` from every provider of it, local paths (as operations/ sees them). */
  enumerate(className: string, ns?: string): Promise<CimInstance[]>;
  /** GetInstance through Operations. */
  get(name: CimInstanceName, ns?: string): Promise<CimInstance>;
  /** A VSMS method through Operations, with the OUT parameters by name. */
  call(method: string, params: Record<string, CimValue>): Promise<{ returnValue: CimValue; out: Record<string, CimValue> }>;
  /** Xen_ComputerSystem.RequestStateChange through Operations. */
  rsc(system: string, code: number, timeout?: string): Promise<{ returnValue: CimValue; out: Record<string, CimValue> }>;
  intrinsic(method: string, params: Record<string, unknown>, ns?: string): Promise<IntrinsicResult>;
  extrinsic(target: CimInstanceName | ClassNameRef, method: string, params: ParamValue[], ns?: string): Promise<ExtrinsicResult>;
  close(): Promise<void>;
}

let schema: Promise<Repository> | undefined;

/** The schema is compiled once per test process (providers never change it). */
function loadRepository(): Promise<Repository> {
  schema ??= (async () => {
    const r = new Repository();
    r.addNamespace(VIRT_NS);
    r.addNamespace(INTEROP_NS);
    await compileMofFile(path.join(ROOT, 'mof', 'virt.mof'), r, { namespace: VIRT_NS });
    await compileMofFile(path.join(ROOT, 'mof', 'interop.mof'), r, { namespace: INTEROP_NS });
    return r;
  })();
  return schema;
}

export function loadProfiles(): ProfileRegistration[] {
  const dir = path.join(ROOT, 'profiles');
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as ProfileRegistration);
}

export function req(method: string, params: Record<string, unknown>, namespace = VIRT_NS): IntrinsicRequest {
  const map = new NameMap<ParamValue>();
  for (const [name, value] of Object.entries(params)) map.set(name, { name, value: value as ParamValue['value'] });
  return { kind: 'intrinsic', method, params: map, namespace, messageId: '1', protocolVersion: '1.0' };
}

export function cn(name: string): ClassNameRef {
  return classNameRef(name);
}

const outOf = (r: ExtrinsicResult) => ({ returnValue: r.returnValue, out: Object.fromEntries(r.out.map((o) => [o.name, o.value])) });

/**
 * `snapshotWaitMs`: how long a snapshot method waits before it answers 4096 (default 20 s, so a
 * loaded machine still answers 0; a test of the 4096 path sets `w.deps.snapshotWaitMs` shorter).
 */
export async function world(opts: { host?: Record<string, unknown>; syncBudgetMs?: number; driver?: TestDriverOptions; snapshotWaitMs?: number } = {}): Promise<World> {
  const dir = mkdtempSync(path.join(tmpdir(), 'xen-wbem-providers-'));
  const driver = xlBackend(dir, opts.host, opts.driver);
  const jobs = new JobManager();
  const logs: string[] = [];
  const virt = new VirtManager(driver, { jobs, pollIntervalMs: 25, shutdownTimeoutMs: 10_000, log: (l) => logs.push(l) });
  await virt.init();
  const repository = await loadRepository();
  const deps: ProviderDeps = {
    virt, jobs, repository, hostName: HOST, profiles: loadProfiles(), product: { name: 'xen-wbem', version: '9.8.7' },
    authentication: 'basic', jobRetentionMs: 5 * 60_000, log: (l) => logs.push(l), snapshotWaitMs: opts.snapshotWaitMs ?? 20_000,
    ...(opts.syncBudgetMs !== undefined ? { syncBudgetMs: opts.syncBudgetMs } : {}),
  };
  const registry = new ProviderRegistry();
  for (const { namespace, provider } of createProviders(deps)) registry.register(namespace, provider);
  const ops = new Operations({ repository, registry, parseEmbeddedObject, hostName: HOST, audit: () => {}, log: (l) => logs.push(l) });

  const intrinsic = async (method: string, params: Record<string, unknown>, ns = VIRT_NS) => (await ops.intrinsic(req(method, params, ns), admin)).result;
  const extrinsic = (target: CimInstanceName | ClassNameRef, method: string, params: ParamValue[], ns = VIRT_NS) =>
    ops.extrinsic({ kind: 'extrinsic', messageId: '1', protocolVersion: '1.0', namespace: ns, method, target, params }, admin);
  const cimom = {
    async enumerateInstanceNames(namespace: string, className: string): Promise<CimInstanceName[]> {
      const r = await intrinsic('EnumerateInstanceNames', { ClassName: cn(className) }, namespace);
      if (r.kind !== 'instanceNames') throw new Error(r.kind);
      return r.names.map((n) => n.local());
    },
  };
  const ctx = (ns = VIRT_NS): ProviderContext => ({ namespace: ns, principal: admin, repository, cimom });
  const providers = (className: string, ns = VIRT_NS) => registry.providersOf(ns, className)?.all ?? [];
  const provider = (className: string, ns = VIRT_NS): InstanceProvider => {
    const all = providers(className, ns);
    if (all.length !== 1) throw new Error(`${all.length} providers of ${className} in ${ns}`);
    return all[0]!;
  };
  const paramList = (params: Record<string, CimValue>): ParamValue[] => Object.entries(params).map(([name, value]) => ({ name, value }));
  return {
    dir, deps, virt, jobs, driver, repository, registry, ops, logs, ctx, provider,
    async enumerate(className, ns = VIRT_NS) {
      const parts = await Promise.all(providers(className, ns).map((p) => p.enumerateInstances(ctx(ns), className, { propertyList: null })));
      return parts.flat();
    },
    async get(name, ns = VIRT_NS) {
      const r = await intrinsic('GetInstance', { InstanceName: name }, ns);
      if (r.kind !== 'instance') throw new Error(r.kind);
      return r.instance;
    },
    call: async (method, params) => outOf(await extrinsic(vsmsNameOf(HOST), method, paramList(params))),
    rsc: async (system, code, timeout) => outOf(await extrinsic(computerSystemName(system), 'RequestStateChange', paramList(
      timeout === undefined ? { RequestedState: code } : { RequestedState: code, TimeoutPeriod: timeout },
    ))),
    intrinsic,
    extrinsic,
    async close() {
      ops.close();
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    },
  };
}

/** Drives a system to a target state through the model's one entry point and waits for its job. */
export async function runTo(virt: VirtManager, name: string, target: TargetState): Promise<void> {
  const c = await virt.requestStateChange(name, target);
  if (c.kind === 'job') await c.job.done;
}

/** Two systems: `web` (PV, running, one disk, one NIC on xenbr0) and `db` (HVM, defined, NIC on br1). */
export async function seed(w: World): Promise<void> {
  await w.virt.defineSystem({
    name: 'web', type: 'pv', memoryMiB: 512, vcpus: 2, boot: { kernel: '/k' },
    disks: [{ target: '/img/web.img', vdev: 'xvda' }], nics: [{ bridge: 'xenbr0' }],
  });
  await w.virt.defineSystem({ name: 'db', type: 'hvm', memoryMiB: 1024, vcpus: 1, nics: [{ bridge: 'br1' }] });
  await runTo(w.virt, 'web', 'running');
  // As the application does once it has started: the first metrics sample (virt/metrics.ts).
  await w.virt.metrics.sample();
}

/** AssociatorNames through operations/ (the generic traversal). */
export async function associatorNames(w: World, source: CimInstanceName, ns: string, filter: Record<string, string> = {}): Promise<CimInstanceName[]> {
  const params: Record<string, unknown> = { ObjectName: source };
  for (const [k, v] of Object.entries(filter)) params[k] = k === 'AssocClass' || k === 'ResultClass' ? cn(v) : v;
  const r = await w.intrinsic('AssociatorNames', params, ns);
  if (r.kind !== 'objectPaths') throw new Error(`unexpected ${r.kind}`);
  return r.names;
}

export async function associators(w: World, source: CimInstanceName, ns: string, filter: Record<string, string> = {}): Promise<CimInstance[]> {
  const params: Record<string, unknown> = { ObjectName: source };
  for (const [k, v] of Object.entries(filter)) params[k] = k === 'AssocClass' || k === 'ResultClass' ? cn(v) : v;
  const r = await w.intrinsic('Associators', params, ns);
  if (r.kind !== 'objectsWithPath') throw new Error(`unexpected ${r.kind}`);
  return r.instances;
}

/** EnumerateInstances through operations/ (deep, full paths). */
export async function enumerateVia(w: World, className: string, ns = VIRT_NS): Promise<CimInstance[]> {
  const r = await w.intrinsic('EnumerateInstances', { ClassName: cn(className) }, ns);
  if (r.kind !== 'namedInstances') throw new Error(`unexpected ${r.kind}`);
  return r.instances;
}

export const vsmsName = (): CimInstanceName => vsmsNameOf(HOST);

/** A plain (untyped) embedded instance, as a client would send it. */
export function inst(className: string, props: Record<string, CimValue>): CimInstance {
  const i = new CimInstance(className);
  for (const [k, v] of Object.entries(props)) i.set(k, v);
  return i;
}

export function vssd(props: Record<string, CimValue>): CimInstance {
  return inst('Xen_VirtualSystemSettingData', props);
}

export function emptyDisk(w: World, name: string): string {
  const p = path.join(w.dir, `${name}.img`);
  writeFileSync(p, '');
  return p;
}

/** Awaits a rejection with a CimError of `status` (e.g. 'CIM_ERR_NOT_FOUND'); returns it. */
export async function rejects(p: Promise<unknown>, status: string, text?: RegExp): Promise<CimError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e, 'expected a CimError').to.be.instanceOf(CimError);
  expect((e as CimError).statusName, (e as CimError).message).to.equal(status);
  if (text) expect((e as CimError).description).to.match(text);
  return e as CimError;
}

/** Waits until the system's EnabledState is `code` (guests finish reboots and shutdowns on their own). */
export async function waitEnabled(w: World, system: string, code: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const cs = await w.get(computerSystemName(system));
    if (cs.get('EnabledState') === code) return;
    if (Date.now() > deadline) throw new Error(`${system}: EnabledState ${String(cs.get('EnabledState'))}, expected ${code}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
