/**
 * A test environment for the virtual-system providers: the real schema (mof/virt.mof → root/virt),
 * a VirtManager over the real xl driver on xl-sim in a temp dir, the providers, the VSMS methods,
 * and an Operations instance over them (with a stand-in VSMS instance provider that delegates to
 * createVsmsMethods, as the host provider will).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  CimError, CimInstance, CimInstanceName, type CimValue, NameMap, NameSet, buildInstance, classNameRef,
  type ExtrinsicResult, type IntrinsicResult, type ParamValue,
} from '../../src/cim/index.js';
import { parseEmbeddedObject } from '../../src/cimxml/index.js';
import { createXlDriver } from '../../src/drivers/xl/index.js';
import { compileMofFile } from '../../src/mof/index.js';
import { Operations, ProviderRegistry } from '../../src/operations/index.js';
import type { InstanceProvider, MethodResult, ProviderContext } from '../../src/operations/provider.js';
import type { ProviderDeps } from '../../src/providers/shared/deps.js';
import { HOST_CLASS, VIRT_NS, VSMS_CLASS, VSMS_NAME, serviceName } from '../../src/providers/shared/naming.js';
import { createSystemProviders, createVsmsMethods } from '../../src/providers/dsp1057-virtual-system/index.js';
import { Repository } from '../../src/repository/index.js';
import { VirtManager } from '../../src/virt/index.js';

// dist/test/providers → repo root is three levels up
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const HOST = 'testhost';

export interface Env {
  dir: string;
  repository: Repository;
  virt: VirtManager;
  driver: ReturnType<typeof createXlDriver>;
  deps: ProviderDeps;
  ctx: ProviderContext;
  providers: InstanceProvider[];
  vsms: ReturnType<typeof createVsmsMethods>;
  ops: Operations;
  logs: string[];
  provider(className: string): InstanceProvider;
  /** Calls a VSMS method directly (params as plain values). */
  call(method: string, params: Record<string, CimValue>): Promise<MethodResult>;
  rsc(system: string, code: number | string, timeout?: string): Promise<MethodResult>;
  get(name: CimInstanceName): Promise<CimInstance>;
  enumerate(className: string): Promise<CimInstance[]>;
  /** Through Operations (typed like a client request). */
  intrinsic(method: string, params: Record<string, unknown>): Promise<IntrinsicResult>;
  extrinsic(target: CimInstanceName, method: string, params: ParamValue[]): Promise<ExtrinsicResult>;
  close(): Promise<void>;
}

let schema: Repository | undefined;

async function compiledSchema(): Promise<Repository> {
  // Compiling the schema takes a moment: once per process, then shared (providers never change it).
  if (!schema) {
    const repo = new Repository();
    await compileMofFile(join(REPO_ROOT, 'mof', 'virt.mof'), repo, { namespace: VIRT_NS });
    schema = repo;
  }
  return schema;
}

export const vsmsName = (): CimInstanceName => serviceName(VSMS_CLASS, VSMS_NAME, HOST);

/** The host provider's part we need: the VSMS instance, delegating its methods. */
function vsmsStandIn(deps: ProviderDeps): InstanceProvider {
  const methods = createVsmsMethods(deps);
  return {
    classNames: [VSMS_CLASS],
    async enumerateInstances(ctx) {
      const cls = ctx.repository.requireClass(ctx.namespace, VSMS_CLASS);
      return [buildInstance(cls, {
        CreationClassName: VSMS_CLASS, Name: VSMS_NAME, SystemCreationClassName: HOST_CLASS, SystemName: HOST, ElementName: VSMS_NAME,
      })];
    },
    invokeMethod: (ctx, target, method, params) => methods(ctx, target, method, params),
    methodRole: () => 'admin',
  };
}

export async function createEnv(host: Record<string, unknown> = {}): Promise<Env> {
  const dir = mkdtempSync(join(tmpdir(), 'sys-providers-'));
  const simState = join(dir, 'xl-sim');
  mkdirSync(simState, { recursive: true });
  writeFileSync(join(simState, 'host.json'), JSON.stringify({ shutdown_seconds: 0.2, ...host }));
  const driver = createXlDriver({ dataDir: dir, commandTimeoutMs: 10_000, snapshotTtlMs: 200 });
  const virt = new VirtManager(driver, { pollIntervalMs: 25, shutdownTimeoutMs: 10_000 });
  await virt.init();
  const repository = await compiledSchema();
  const logs: string[] = [];
  const deps: ProviderDeps = {
    virt, jobs: virt.jobs, repository, hostName: HOST, profiles: [], product: { name: 'xen-wbem', version: 'test' },
    log: (l) => logs.push(l),
  };
  const providers = createSystemProviders(deps);
  const registry = new ProviderRegistry();
  for (const p of [...providers, vsmsStandIn(deps)]) registry.register(VIRT_NS, p);
  const ops = new Operations({ repository, registry, parseEmbeddedObject, hostName: HOST, log: (l) => logs.push(l) });
  const cimom = { enumerateInstanceNames: async () => [] };
  const ctx: ProviderContext = { namespace: VIRT_NS, principal: { name: 't', role: 'admin' }, repository, cimom };
  const vsms = createVsmsMethods(deps);
  const provider = (className: string): InstanceProvider => {
    const p = providers.find((x) => x.classNames.some((c) => c.toLowerCase() === className.toLowerCase()));
    if (!p) throw new Error(`no provider for ${className}`);
    return p;
  };
  const env: Env = {
    dir, repository, virt, driver, deps, ctx, providers, vsms, ops, logs, provider,
    call: (method, params) => vsms(ctx, vsmsName(), method, new NameMap(Object.entries(params))),
    rsc: (system, code, timeout) => {
      const params = new NameMap<CimValue>([['RequestedState', code]]);
      if (timeout !== undefined) params.set('TimeoutPeriod', timeout);
      const cs = CimInstanceName.of('Xen_ComputerSystem', { CreationClassName: 'Xen_ComputerSystem', Name: system });
      return provider('Xen_ComputerSystem').invokeMethod!(ctx, cs, 'RequestStateChange', params);
    },
    get: (name) => provider(name.className).getInstance!(ctx, name, { propertyList: null }),
    enumerate: (className) => provider(className).enumerateInstances(ctx, className, { propertyList: null }),
    async intrinsic(method, params) {
      const map = new NameMap<ParamValue>();
      for (const [name, value] of Object.entries(params)) map.set(name, { name, value: value as ParamValue['value'] });
      const r = await ops.intrinsic({ kind: 'intrinsic', messageId: '1', protocolVersion: '1.0', namespace: VIRT_NS, method, params: map }, ctx.principal);
      return r.result;
    },
    extrinsic: (target, method, params) =>
      ops.extrinsic({ kind: 'extrinsic', messageId: '1', protocolVersion: '1.0', namespace: VIRT_NS, method, target, params }, ctx.principal),
    async close() {
      ops.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return env;
}

/** A plain (untyped) embedded instance, as a client would send it. */
export function inst(className: string, props: Record<string, CimValue>): CimInstance {
  const i = new CimInstance(className);
  for (const [k, v] of Object.entries(props)) i.set(k, v);
  return i;
}

export function vssd(props: Record<string, CimValue>): CimInstance {
  return inst('Xen_VirtualSystemSettingData', props);
}

export function emptyDisk(env: Env, name: string): string {
  const p = join(env.dir, `${name}.img`);
  writeFileSync(p, '');
  return p;
}

/** Waits until the system's EnabledState is `code` (guests finish reboots and shutdowns on their own). */
/** Awaits a rejection with a CimError of `status` (e.g. 'CIM_ERR_NOT_FOUND'); returns it. */
export async function rejects(p: Promise<unknown>, status: string, text?: RegExp): Promise<CimError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e, 'expected a CimError').to.be.instanceOf(CimError);
  expect((e as CimError).statusName, (e as CimError).message).to.equal(status);
  if (text) expect((e as CimError).description).to.match(text);
  return e as CimError;
}

export async function waitEnabled(env: Env, system: string, code: number, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const cs = await env.get(CimInstanceName.of('Xen_ComputerSystem', { CreationClassName: 'Xen_ComputerSystem', Name: system }));
    if (cs.get('EnabledState') === code) return;
    if (Date.now() > deadline) throw new Error(`${system}: EnabledState ${String(cs.get('EnabledState'))}, expected ${code}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export { NameSet, classNameRef };
