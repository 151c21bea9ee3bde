/**
 * Lifecycle of RASDs (DSP1041 settings of a virtual system): found from the model's system
 * events, whoever changed the system, by comparing its defined RASDs before and after — a device
 * added is a creation, removed a deletion, changed a modification with the properties that
 * differ. A new system's RASDs are created with it and a deleted system's go with it. Only the
 * defined RASDs: the state ones come and go with every start and stop.
 */
import { type CimInstance, valuesEqual } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import type { SystemEvent, VirtualSystem } from '../../virt/index.js';
import { systemRasds } from '../dsp1041-resource-allocation/index.js';
import { build } from '../shared/build.js';
import { RASD_CLASS } from '../shared/naming.js';

export interface RasdChange {
  kind: 'created' | 'modified' | 'deleted';
  current?: CimInstance;
  previous?: CimInstance;
  /** For a modification: the properties whose values differ. */
  changed?: string[];
}

type Ctx = Pick<ProviderContext, 'repository' | 'namespace'>;

function rasdsOf(ctx: Ctx, sys: VirtualSystem | undefined): Map<string, CimInstance> {
  const out = new Map<string, CimInstance>();
  if (!sys) return out;
  for (const r of systemRasds(sys)) {
    const inst = build(ctx, RASD_CLASS[r.kind], r.values);
    out.set(String(inst.get('InstanceID')), inst);
  }
  return out;
}

function differing(a: CimInstance, b: CimInstance): string[] {
  return b.properties.names().filter((n) => !valuesEqual(a.get(n) ?? null, b.get(n) ?? null));
}

export function rasdChanges(ctx: Ctx, e: SystemEvent): RasdChange[] {
  // A state change alone leaves the definition as it was: nothing to compare.
  if (e.kind === 'modified' && e.previous && e.current && e.previous.name === e.current.name
    && JSON.stringify(e.previous.config) === JSON.stringify(e.current.config)) return [];
  const before = rasdsOf(ctx, e.previous);
  const after = rasdsOf(ctx, e.current);
  const out: RasdChange[] = [];
  for (const [id, previous] of before) if (!after.has(id)) out.push({ kind: 'deleted', previous });
  for (const [id, current] of after) {
    const previous = before.get(id);
    if (!previous) out.push({ kind: 'created', current });
    else {
      const changed = differing(previous, current);
      if (changed.length > 0) out.push({ kind: 'modified', current, previous, changed });
    }
  }
  return out;
}
