/**
 * What the audit log says about a change: who, which operation on which object (the namespace
 * once, the path without it), what was asked (the IN parameters, summarised) and the real
 * outcome: a CIM error, or for a method its return value (0 done, 4096 a job was started, any
 * other value: not done).
 */
import { CimInstance, CimInstanceName, type CimValue, type ExtrinsicRequest, type ExtrinsicResult, isClassNameRef } from '../cim/index.js';
import type { AuditEntry } from './options.js';

/** The longest text kept for one parameter value. */
const VALUE_MAX = 200;
/** Array elements summarised at most. */
const ELEMENTS_MAX = 10;
/** Properties that name an embedded instance in a summary, most telling first. */
const NAMING = ['ElementName', 'InstanceID', 'Name', 'ResourceType'];

function clip(s: string, max = VALUE_MAX): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** The longest target, namespace, method name or error text kept in an entry. */
const TEXT_MAX = 1000;
/** Method parameters summarised at most. */
const PARAMS_MAX = 50;

/**
 * An entry with every client-given text clipped: a request of any user (a refused one too) is
 * audited, and without a bound each could append megabytes to the log.
 */
export function boundedEntry(e: AuditEntry): AuditEntry {
  const out: AuditEntry = { ...e, namespace: clip(e.namespace, TEXT_MAX), target: clip(e.target, TEXT_MAX) };
  if (e.method !== undefined) out.method = clip(e.method, TEXT_MAX);
  if (e.error !== undefined) out.error = clip(e.error, TEXT_MAX);
  if (e.job !== undefined) out.job = clip(e.job, TEXT_MAX);
  return out;
}

/** `Class(ElementName="x")` for an embedded instance, object or escaped text alike. */
function instanceSummary(className: string, naming: [string, string] | undefined): string {
  return naming ? `${clip(className)}(${naming[0]}=${JSON.stringify(clip(naming[1]))})` : clip(className);
}

const OPEN_VALUE = /\s*<VALUE>/iy;

/**
 * The text of `<PROPERTY NAME="name" …><VALUE>text<` in embedded-instance text, in time linear in
 * the text: the text comes from any user, before any role check (a backtracking regex over it
 * took minutes for a megabyte of repeated NAME attributes).
 */
function propertyText(v: string, name: string): string | undefined {
  const attr = new RegExp(`NAME="${name}"`, 'gi');
  for (;;) {
    const found = attr.exec(v);
    if (!found) return undefined;
    const end = v.indexOf('>', attr.lastIndex);
    // No '>' after this NAME: none after any later one either.
    if (end === -1) return undefined;
    OPEN_VALUE.lastIndex = end + 1;
    if (OPEN_VALUE.exec(v)) {
      const close = v.indexOf('<', OPEN_VALUE.lastIndex);
      return close === -1 ? undefined : v.slice(OPEN_VALUE.lastIndex, close);
    }
    // Whatever NAME attributes lie before this '>' belong to the same tag: skip them all.
    attr.lastIndex = end + 1;
  }
}

function summarise(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (Array.isArray(v)) {
    const head = v.slice(0, ELEMENTS_MAX).map(summarise).join(', ');
    return `[${head}${v.length > ELEMENTS_MAX ? `, … (${v.length})` : ''}]`;
  }
  if (v instanceof CimInstanceName) return clip(v.local().toString());
  if (v instanceof CimInstance) {
    const p = NAMING.map((n) => [n, v.get(n)] as const).find(([, x]) => x !== null && x !== undefined);
    return instanceSummary(v.className, p ? [p[0], String(p[1])] : undefined);
  }
  if (typeof v === 'object' && v !== null && isClassNameRef(v as never)) return (v as { className: string }).className;
  if (typeof v === 'string') {
    // An embedded instance sent as (escaped) text: wbemcli and pywbem both do this.
    const m = /^\s*<INSTANCE\s+CLASSNAME="([^"]+)"/.exec(v);
    if (m) {
      const naming = NAMING.map((n) => [n, propertyText(v, n)] as const).find(([, x]) => x !== undefined);
      return instanceSummary(m[1]!, naming ? [naming[0], naming[1]!] : undefined);
    }
    return clip(v);
  }
  return clip(String(v));
}

/** The IN parameters of a method call, by name, summarised. */
export function auditParams(req: ExtrinsicRequest): Record<string, string> | undefined {
  if (req.params.length === 0) return undefined;
  const out: Record<string, string> = Object.fromEntries(req.params.slice(0, PARAMS_MAX).map((p) => [clip(p.name), summarise(p.value)]));
  if (req.params.length > PARAMS_MAX) out['…'] = `${req.params.length - PARAMS_MAX} more parameters`;
  return out;
}

/** The target of a method call as the audit log names it: the path without its namespace. */
export function auditTarget(req: ExtrinsicRequest): string {
  return isClassNameRef(req.target) ? req.target.className : req.target.local().toString();
}

/** The outcome fields of a method call that returned. */
export function methodOutcome(result: ExtrinsicResult): Pick<AuditEntry, 'result' | 'returnValue' | 'job'> {
  const rv = typeof result.returnValue === 'number' ? result.returnValue : Number(result.returnValue as CimValue);
  if (rv === 0) return { result: 'ok', returnValue: 0 };
  if (rv === 4096) {
    const job = result.out.find((p) => p.value instanceof CimInstanceName)?.value as CimInstanceName | undefined;
    const id = job?.keyString('InstanceID') ?? job?.local().toString();
    return id === undefined ? { result: 'job', returnValue: rv } : { result: 'job', returnValue: rv, job: id };
  }
  return { result: 'failed', returnValue: Number.isFinite(rv) ? rv : -1 };
}
