/**
 * A real world for the host-side and interop provider tests: the compiled schema of both
 * namespaces, a VirtManager over the xl driver on xl-sim in a temp dir, the profiles of
 * profiles/, and an Operations engine with our providers registered.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CimInstance, type CimInstanceName, type ClassNameRef, type IntrinsicRequest, type ParamValue, NameMap,
  classNameRef,
} from '../../src/cim/index.js';
import { compileMofFile } from '../../src/mof/index.js';
import { Repository } from '../../src/repository/index.js';
import { createXlDriver } from '../../src/drivers/xl/index.js';
import { JobManager, VirtManager } from '../../src/virt/index.js';
import { Operations, ProviderRegistry, type InstanceProvider, type ProviderContext, type Principal } from '../../src/operations/index.js';
import type { ProfileRegistration, ProviderDeps } from '../../src/providers/shared/deps.js';
import { INTEROP_NS, VIRT_NS } from '../../src/providers/shared/naming.js';
import { type HostProviderOptions, createHostProviders } from '../../src/providers/dsp1042-system-virtualization/host-system.js';
import { createInteropProviders, createVirtEctpProvider } from '../../src/providers/dsp1033-profile-registration/index.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const admin: Principal = { name: 't', role: 'admin' };

export interface World {
  dir: string;
  deps: ProviderDeps;
  virt: VirtManager;
  jobs: JobManager;
  repository: Repository;
  host: InstanceProvider[];
  interop: InstanceProvider[];
  virtEctp: InstanceProvider;
  ops: Operations;
  logs: string[];
  ctx(ns?: string): ProviderContext;
  /** The provider (ours) serving `className` in `ns`. */
  provider(className: string, ns?: string): InstanceProvider;
  enumerate(className: string, ns?: string): Promise<CimInstance[]>;
  close(): void;
}

let schema: Promise<Repository> | undefined;

/** The schema is compiled once per test run (it does not change). */
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

export async function world(opts: HostProviderOptions = {}): Promise<World> {
  const dir = mkdtempSync(path.join(tmpdir(), 'xen-wbem-host-'));
  const repository = await loadRepository();
  const jobs = new JobManager();
  const virt = new VirtManager(createXlDriver({ dataDir: dir }), { jobs, pollIntervalMs: 5 });
  await virt.init();
  const logs: string[] = [];
  const deps: ProviderDeps = {
    virt, jobs, repository, hostName: 'testhost', profiles: loadProfiles(),
    product: { name: 'xen-wbem', version: '9.8.7' }, log: (l) => logs.push(l),
  };
  const host = createHostProviders(deps, opts);
  const interop = createInteropProviders(deps);
  const virtEctp = createVirtEctpProvider(deps);
  const registry = new ProviderRegistry();
  for (const p of host) registry.register(VIRT_NS, p);
  registry.register(VIRT_NS, virtEctp);
  for (const p of interop) registry.register(INTEROP_NS, p);
  const ops = new Operations({
    repository, registry, hostName: 'testhost', audit: () => {}, log: (l) => logs.push(l),
    parseEmbeddedObject: () => { throw new Error('not used'); },
  });
  const cimom = {
    async enumerateInstanceNames(namespace: string, className: string): Promise<CimInstanceName[]> {
      const r = await ops.intrinsic(req('EnumerateInstanceNames', { ClassName: cn(className) }, namespace), admin);
      if (r.result.kind !== 'instanceNames') throw new Error(r.result.kind);
      return r.result.names;
    },
  };
  const ctx = (ns = VIRT_NS): ProviderContext => ({ namespace: ns, principal: admin, repository, cimom });
  const provider = (className: string, ns = VIRT_NS): InstanceProvider => {
    const list = ns === VIRT_NS ? [...host, virtEctp] : interop;
    const p = list.find((x) => x.classNames.some((c) => c.toLowerCase() === className.toLowerCase()));
    if (!p) throw new Error(`no provider of ${className} in ${ns}`);
    return p;
  };
  return {
    dir, deps, virt, jobs, repository, host, interop, virtEctp, ops, logs, ctx, provider,
    enumerate: (className, ns = VIRT_NS) => provider(className, ns).enumerateInstances(ctx(ns), className, { propertyList: null }),
    close: () => { ops.close(); rmSync(dir, { recursive: true, force: true }); },
  };
}

/** Two systems: `web` (PV, running, one disk, one NIC on xenbr0) and `db` (HVM, defined, NIC on br1). */
export async function seed(w: World): Promise<void> {
  await w.virt.defineSystem({
    name: 'web', type: 'pv', memoryMiB: 512, vcpus: 2, boot: { kernel: '/k' },
    disks: [{ target: '/img/web.img', vdev: 'xvda' }], nics: [{ bridge: 'xenbr0' }],
  });
  await w.virt.defineSystem({ name: 'db', type: 'hvm', memoryMiB: 1024, vcpus: 1, nics: [{ bridge: 'br1' }] });
  await w.virt.requestState('web', 'running');
}

export function req(method: string, params: Record<string, ParamValue['value']>, namespace = VIRT_NS): IntrinsicRequest {
  const map = new NameMap<ParamValue>();
  for (const [name, value] of Object.entries(params)) map.set(name, { name, value });
  return { kind: 'intrinsic', method, params: map, namespace, messageId: '1', protocolVersion: '1.0' };
}

export function cn(name: string): ClassNameRef {
  return classNameRef(name);
}

/** AssociatorNames through operations/ (the generic traversal). */
export async function associatorNames(w: World, source: CimInstanceName, ns: string, filter: Record<string, string> = {}): Promise<CimInstanceName[]> {
  const params: Record<string, ParamValue['value']> = { ObjectName: source };
  for (const [k, v] of Object.entries(filter)) params[k] = k === 'AssocClass' || k === 'ResultClass' ? cn(v) : v;
  const r = await w.ops.intrinsic(req('AssociatorNames', params, ns), admin);
  if (r.result.kind !== 'objectPaths') throw new Error(`unexpected ${r.result.kind}`);
  return r.result.names;
}

export async function associators(w: World, source: CimInstanceName, ns: string, filter: Record<string, string> = {}): Promise<CimInstance[]> {
  const params: Record<string, ParamValue['value']> = { ObjectName: source };
  for (const [k, v] of Object.entries(filter)) params[k] = k === 'AssocClass' || k === 'ResultClass' ? cn(v) : v;
  const r = await w.ops.intrinsic(req('Associators', params, ns), admin);
  if (r.result.kind !== 'objectsWithPath') throw new Error(`unexpected ${r.result.kind}`);
  return r.result.instances;
}

export async function enumerateVia(w: World, className: string, ns = VIRT_NS): Promise<CimInstance[]> {
  const r = await w.ops.intrinsic(req('EnumerateInstances', { ClassName: cn(className) }, ns), admin);
  if (r.result.kind !== 'namedInstances') throw new Error(`unexpected ${r.result.kind}`);
  return r.result.instances;
}

