/**
 * Client-side helpers for the virtualization profiles on top of cim-client.ts: VSMS and
 * virtual-system method calls with embedded instances (as pywbem sends them), job polling.
 */
import { all, esc, extrinsic, first, intrinsic, propValue, text, type ClientOptions, type XmlNode } from './cim-client.js';

export const VSMS = (host: string) => ({
  className: 'Xen_VirtualSystemManagementService',
  keys: { CreationClassName: 'Xen_VirtualSystemManagementService', Name: 'Management Service', SystemCreationClassName: 'Xen_HostSystem', SystemName: host },
});

export const CS = (name: string) => ({ className: 'Xen_ComputerSystem', keys: { CreationClassName: 'Xen_ComputerSystem', Name: name } });

export function instanceXml(className: string, props: Record<string, [string, string | string[]]>): string {
  return `<INSTANCE CLASSNAME="${className}">${Object.entries(props)
    .map(([n, [type, v]]) => Array.isArray(v)
      ? `<PROPERTY.ARRAY NAME="${n}" TYPE="${type}"><VALUE.ARRAY>${v.map((x) => `<VALUE>${esc(x)}</VALUE>`).join('')}</VALUE.ARRAY></PROPERTY.ARRAY>`
      : `<PROPERTY NAME="${n}" TYPE="${type}"><VALUE>${esc(v)}</VALUE></PROPERTY>`)
    .join('')}</INSTANCE>`;
}

/** A PARAMVALUE with embedded instances (EmbeddedObject="instance", escaped XML), scalar or array. */
export function embeddedParam(name: string, instances: string | string[]): string {
  const v = Array.isArray(instances)
    ? `<VALUE.ARRAY>${instances.map((i) => `<VALUE>${esc(i)}</VALUE>`).join('')}</VALUE.ARRAY>`
    : `<VALUE>${esc(instances)}</VALUE>`;
  return `<PARAMVALUE NAME="${name}" PARAMTYPE="string" EmbeddedObject="instance">${v}</PARAMVALUE>`;
}

export function refParam(name: string, className: string, keys: Record<string, string>, ns = 'root/virt'): string {
  return `<PARAMVALUE NAME="${name}" PARAMTYPE="reference"><VALUE.REFERENCE><LOCALINSTANCEPATH><LOCALNAMESPACEPATH>${ns
    .split('/').map((n) => `<NAMESPACE NAME="${n}"/>`).join('')}</LOCALNAMESPACEPATH><INSTANCENAME CLASSNAME="${className}">${Object.entries(keys)
    .map(([k, v]) => `<KEYBINDING NAME="${k}"><KEYVALUE VALUETYPE="string">${esc(v)}</KEYVALUE></KEYBINDING>`).join('')}</INSTANCENAME></LOCALINSTANCEPATH></VALUE.REFERENCE></PARAMVALUE>`;
}

export interface MethodOutcome {
  returnValue: number | undefined;
  out: Record<string, XmlNode>;
  error?: { code: number; description: string };
}

export async function call(c: ClientOptions, target: { className: string; keys: Record<string, string> }, method: string, params = ''): Promise<MethodOutcome> {
  const r = await extrinsic({ namespace: 'root/virt', ...c }, method, target, params);
  if (r.raw.status !== 200) throw new Error(`HTTP ${r.raw.status}: ${r.raw.body}`);
  const rv = first(r.rsp, 'RETURNVALUE');
  const out = Object.fromEntries(all(r.rsp, 'PARAMVALUE').map((p) => [String(p['@NAME']), p]));
  return { returnValue: rv ? Number(text(first(rv, 'VALUE'))) : undefined, out, ...(r.error ? { error: r.error } : {}) };
}

/** Keys of the INSTANCENAME inside an OUT reference parameter. */
export function refKeys(param: XmlNode | undefined): { className: string; keys: Record<string, string> } | undefined {
  if (!param) return undefined;
  const ref = first(param, 'VALUE.REFERENCE');
  const holder = first(ref, 'INSTANCEPATH') ?? first(ref, 'LOCALINSTANCEPATH') ?? ref;
  const inst = first(holder, 'INSTANCENAME');
  if (!inst) return undefined;
  const keys = Object.fromEntries(all(inst, 'KEYBINDING').map((k) => [String(k['@NAME']), text(first(k, 'KEYVALUE'))]));
  return { className: String(inst['@CLASSNAME']), keys };
}

export async function getInstance(c: ClientOptions, className: string, keys: Record<string, string>): Promise<{ inst?: XmlNode; error?: { code: number; description: string } }> {
  const { instanceName } = await import('./cim-client.js');
  const r = await intrinsic({ namespace: 'root/virt', ...c }, 'GetInstance', { InstanceName: instanceName(className, keys) });
  return r.error ? { error: r.error } : { inst: first(first(r.rsp, 'IRETURNVALUE'), 'INSTANCE') };
}

export async function enabledState(c: ClientOptions, name: string): Promise<string | undefined> {
  const r = await getInstance(c, 'Xen_ComputerSystem', CS(name).keys);
  return r.inst ? propValue(r.inst, 'EnabledState') : undefined;
}

/** Polls a Xen_ConcreteJob until it is no longer New/Running; returns its final JobState. */
export async function waitJob(c: ClientOptions, job: { className: string; keys: Record<string, string> }, timeoutMs = 30_000): Promise<{ state: string; inst: XmlNode }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await getInstance(c, job.className, job.keys);
    if (!r.inst) throw new Error(`job vanished: ${JSON.stringify(r.error)}`);
    const state = propValue(r.inst, 'JobState')!;
    if (state !== '2' && state !== '3' && state !== '4') return { state, inst: r.inst };
    if (Date.now() > until) throw new Error(`job still in state ${state}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
