/**
 * The side-by-side benchmark's data on the other CIMOM: the same 1,000 Test_Bulk instances our
 * bench server seeds (same keys, same 19 string values), created there with CreateInstance
 * (DSP0200 §5.3.2.6) when missing, and a check that one instance reads back with the same
 * properties and values from both servers.
 */
import {
  all, esc, first, instanceName, intrinsic, propNames, propValue, type ClientOptions,
} from '../test/support/cim-client.js';
import { TestStore, seedStore } from '../test/support/test-provider.js';

export const BULK = 1000;

/** Test_Bulk's values as our bench server holds them, in key order. */
export function bulkValues(): Record<string, string>[] {
  const store = new TestStore();
  seedStore(store, { widgets: 0, bulk: BULK });
  return [...(store.byClass.get('Test_Bulk')?.values() ?? [])].map((v) =>
    Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])),
  );
}

async function countNames(opts: ClientOptions, className: string): Promise<number> {
  const r = await intrinsic(opts, 'EnumerateInstanceNames', { ClassName: `<CLASSNAME NAME="${className}"/>` });
  if (r.error) throw new Error(`EnumerateInstanceNames ${className}: ${r.error.code} ${r.error.description}`);
  if (r.raw.status !== 200) throw new Error(`EnumerateInstanceNames ${className}: HTTP ${r.raw.status}`);
  return all(first(r.rsp, 'IRETURNVALUE'), 'INSTANCENAME').length;
}

/**
 * Creates the missing instances one request at a time: SFCB 1.3's internal provider loses and
 * duplicates instances under concurrent CreateInstance (4 in flight left 984 names and a
 * duplicate key among 1,000 instances). Checks that names and instances are then exactly the 1,000.
 */
export async function seedOther(opts: ClientOptions, className: string): Promise<{ before: number; created: number }> {
  const before = await countNames(opts, className);
  let created = 0;
  if (before < BULK) {
    for (const v of bulkValues()) {
      const props = Object.entries(v).map(([k, x]) => `<PROPERTY NAME="${k}" TYPE="string"><VALUE>${esc(x)}</VALUE></PROPERTY>`).join('');
      const r = await intrinsic(opts, 'CreateInstance', { NewInstance: `<INSTANCE CLASSNAME="${className}">${props}</INSTANCE>` });
      if (r.error?.code === 11) continue; // CIM_ERR_ALREADY_EXISTS: left from an earlier run
      if (r.error || r.raw.status !== 200) throw new Error(`CreateInstance ${v.InstanceID}: ${r.error ? `${r.error.code} ${r.error.description}` : `HTTP ${r.raw.status}`}`);
      created++;
    }
  }
  const names = await countNames(opts, className);
  const ids = await instanceIds(opts, className);
  if (names !== BULK || ids.length !== BULK || new Set(ids).size !== BULK) {
    throw new Error(`${className} should hold ${BULK} instances: ${names} names, ${ids.length} instances, ${new Set(ids).size} distinct keys (recreate its store)`);
  }
  return { before, created };
}

async function instanceIds(opts: ClientOptions, className: string): Promise<string[]> {
  const r = await intrinsic(opts, 'EnumerateInstances', { ClassName: `<CLASSNAME NAME="${className}"/>` });
  if (r.error) throw new Error(`EnumerateInstances ${className}: ${r.error.code} ${r.error.description}`);
  return all(first(r.rsp, 'IRETURNVALUE'), 'VALUE.NAMEDINSTANCE').map((ni) => String(propValue(first(ni, 'INSTANCE'), 'InstanceID')));
}

/** Reads bulk-00500 from both servers; returns the differences (empty when the same). */
export async function compareOne(ours: ClientOptions, other: ClientOptions, otherClass: string): Promise<string[]> {
  const read = async (opts: ClientOptions, className: string): Promise<Map<string, string | undefined>> => {
    const r = await intrinsic(opts, 'GetInstance', { InstanceName: instanceName(className, { InstanceID: 'bulk-00500' }) });
    if (r.error) throw new Error(`GetInstance ${className}: ${r.error.code} ${r.error.description}`);
    const inst = first(first(r.rsp, 'IRETURNVALUE'), 'INSTANCE');
    return new Map(propNames(inst).map((n) => [n.toLowerCase(), propValue(inst, n)]));
  };
  const [a, b] = [await read(ours, 'Test_Bulk'), await read(other, otherClass)];
  const diffs: string[] = [];
  for (const n of new Set([...a.keys(), ...b.keys()])) {
    if (a.get(n) !== b.get(n)) diffs.push(`${n}: ours ${JSON.stringify(a.get(n))}, theirs ${JSON.stringify(b.get(n))}`);
  }
  return diffs;
}
