/**
 * Reading VSMS method parameters (DSP1042 §8.2; digest B4) and running a multi-step change so
 * that a refused call changes nothing (DESIGN §3.3): each applied step has its undo, run in
 * reverse when a later step fails.
 */
import { CimInstance, CimInstanceName, type CimValue, type NameMap } from '../../cim/index.js';
import type { ProviderDeps } from '../shared/deps.js';
import { badParam, toCimError } from '../shared/errors.js';

export function embeddedOne(params: NameMap<CimValue>, name: string): CimInstance | undefined {
  const v = params.get(name);
  if (v === null || v === undefined) return undefined;
  if (v instanceof CimInstance) return v;
  throw badParam(`${name} must be an embedded instance`);
}

export function embeddedList(params: NameMap<CimValue>, name: string): CimInstance[] {
  const v = params.get(name);
  if (v === null || v === undefined) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.map((e, i) => {
    if (e instanceof CimInstance) return e;
    throw badParam(`${name}[${i}] must be an embedded instance`);
  });
}

export function refOne(params: NameMap<CimValue>, name: string): CimInstanceName | undefined {
  const v = params.get(name);
  if (v === null || v === undefined) return undefined;
  if (v instanceof CimInstanceName) return v;
  throw badParam(`${name} must be a reference`);
}

export function refList(params: NameMap<CimValue>, name: string): CimInstanceName[] {
  const v = params.get(name);
  if (v === null || v === undefined) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.map((e, i) => {
    if (e instanceof CimInstanceName) return e;
    throw badParam(`${name}[${i}] must be a reference`);
  });
}

export interface Step {
  what: string;
  run(): Promise<void>;
  undo?(): Promise<void>;
}

/** Runs steps in order; on a failure undoes the applied ones (newest first) and throws a CimError. */
export async function runSteps(deps: ProviderDeps, method: string, steps: Step[]): Promise<void> {
  const done: Step[] = [];
  for (const s of steps) {
    try {
      await s.run();
      done.push(s);
    } catch (e) {
      for (const d of done.reverse()) {
        try {
          await d.undo?.();
        } catch (u) {
          deps.log(`${method}: could not undo "${d.what}" after a failure: ${u instanceof Error ? u.message : String(u)}`);
        }
      }
      throw toCimError(e, `${method}: ${s.what}`);
    }
  }
}
