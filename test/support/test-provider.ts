/**
 * An in-memory provider for the test schema: instances can be created, modified and deleted,
 * and Test_Widget.Resize exercises typed IN/OUT parameters and embedded instances.
 */
import {
  CimInstance, CimInstanceName, NameMap, buildInstance, cimError, type CimValue, type ClassNameRef, type NameSet,
} from '../../src/cim/index.js';
import type { InstanceProvider, MethodResult, ProviderContext, Role } from '../../src/operations/provider.js';

export const TEST_NS = 'root/test';

type Values = Record<string, CimValue>;

export class TestStore {
  readonly byClass = new NameMap<Map<string, Values>>();

  put(className: string, values: Values): void {
    let m = this.byClass.get(className);
    if (!m) this.byClass.set(className, (m = new Map()));
    // Kept as a copy made in one step, the shape of the object literals the product's providers
    // pass to buildInstance: an object given twenty properties one computed name at a time
    // (seedStore's bulk values) falls into V8's dictionary mode, where every `for…in` of
    // buildInstance collects and sorts its keys afresh (measured: 60 % of buildInstance's time).
    m.set(String(values.InstanceID), { ...values });
  }
}

/** Seeds widgets w1..wN, gadgets g1..g2, links, and `bulk` Test_Bulk instances. */
export function seedStore(store: TestStore, opts: { widgets?: number; bulk?: number } = {}): void {
  const widgets = opts.widgets ?? 3;
  for (let i = 1; i <= widgets; i++) {
    store.put('Test_Widget', { InstanceID: `w${i}`, ElementName: `Widget ${i}`, Size: i * 10, Tags: ['a', `t${i}`], Enabled: i % 2 === 1, Note: null });
  }
  store.put('Test_SpecialWidget', { InstanceID: 'sw1', ElementName: 'Special 1', Size: 99, Special: 'yes' });
  store.put('Test_Gadget', { InstanceID: 'g1', ElementName: 'Gadget 1', Weight: 1.5 });
  store.put('Test_Gadget', { InstanceID: 'g2', ElementName: 'Gadget 2', Weight: 2.5 });
  for (let i = 1; i <= (opts.bulk ?? 0); i++) {
    const v: Values = { InstanceID: `bulk-${String(i).padStart(5, '0')}` };
    for (let p = 1; p <= 19; p++) v[`P${String(p).padStart(2, '0')}`] = `value ${p} of instance ${i}`;
    store.put('Test_Bulk', v);
  }
}

const LINKS: [string, string, number][] = [['w1', 'g1', 2], ['w1', 'g2', 1], ['w2', 'g2', 5]];

export function createTestProviders(store: TestStore): InstanceProvider[] {
  const plain = (classNames: string[]): InstanceProvider => ({
    classNames,
    async enumerateInstances(ctx: ProviderContext, className: string) {
      const cls = ctx.repository.requireClass(ctx.namespace, className);
      return [...(store.byClass.get(className)?.values() ?? [])].map((v) => buildInstance(cls, v));
    },
    async *streamInstances(ctx: ProviderContext, className: string) {
      const cls = ctx.repository.requireClass(ctx.namespace, className);
      const all = [...(store.byClass.get(className)?.values() ?? [])];
      for (let i = 0; i < all.length; i += 64) yield all.slice(i, i + 64).map((v) => buildInstance(cls, v));
    },
    async enumerateInstanceNames(_ctx: ProviderContext, className: string) {
      return [...(store.byClass.get(className)?.keys() ?? [])].map((id) => new CimInstanceName(className, [{ name: 'InstanceID', value: id, type: 'string' }]));
    },
    async getInstance(ctx: ProviderContext, name: CimInstanceName) {
      const v = store.byClass.get(name.className)?.get(String(name.key('InstanceID')));
      if (!v) throw cimError('NOT_FOUND', `no ${name.className} with InstanceID "${String(name.key('InstanceID'))}"`);
      return buildInstance(ctx.repository.requireClass(ctx.namespace, name.className), v);
    },
    async createInstance(ctx: ProviderContext, inst: CimInstance) {
      const id = inst.get('InstanceID');
      if (typeof id !== 'string' || !id) throw cimError('INVALID_PARAMETER', 'InstanceID is required');
      if (store.byClass.get(inst.className)?.has(id)) throw cimError('ALREADY_EXISTS', `${inst.className} "${id}" exists`);
      const values: Values = {};
      for (const [n, p] of inst.properties) values[n] = p.value;
      store.put(inst.className, values);
      return CimInstanceName.of(inst.className, { InstanceID: id });
    },
    async modifyInstance(_ctx: ProviderContext, inst: CimInstance, propertyList: NameSet | null) {
      const v = store.byClass.get(inst.className)?.get(String(inst.get('InstanceID')));
      if (!v) throw cimError('NOT_FOUND', `no ${inst.className} "${String(inst.get('InstanceID'))}"`);
      for (const [n, p] of inst.properties) {
        if (propertyList && !propertyList.has(n)) continue;
        if (n.toLowerCase() === 'instanceid') continue;
        v[n] = p.value;
      }
    },
    async deleteInstance(_ctx: ProviderContext, name: CimInstanceName) {
      if (!store.byClass.get(name.className)?.delete(String(name.key('InstanceID')))) {
        throw cimError('NOT_FOUND', `no ${name.className} "${String(name.key('InstanceID'))}"`);
      }
    },
    async invokeMethod(_ctx: ProviderContext, target: CimInstanceName | ClassNameRef, method: string, params: NameMap<CimValue>): Promise<MethodResult> {
      if (method.toLowerCase() !== 'resize' || !(target instanceof CimInstanceName)) throw cimError('METHOD_NOT_AVAILABLE', method);
      const v = store.byClass.get(target.className)?.get(String(target.key('InstanceID')));
      if (!v) throw cimError('NOT_FOUND', 'no such widget');
      const size = params.get('NewSize');
      if (typeof size !== 'number' || size > 1000) return { returnValue: 5 };
      const old = v.Size as number;
      v.Size = size;
      const out: Record<string, CimValue> = { OldSize: old };
      const tpl = params.get('Template');
      if (tpl instanceof CimInstance) {
        const id = String(tpl.get('InstanceID') ?? `made-${size}`);
        store.put('Test_Gadget', { InstanceID: id, ElementName: tpl.get('ElementName') ?? null, Weight: tpl.get('Weight') ?? null });
        out.Made = CimInstanceName.of('Test_Gadget', { InstanceID: id });
      }
      return { returnValue: 0, out };
    },
    methodRole(method: string): Role {
      return method.toLowerCase() === 'resize' ? 'operator' : 'admin';
    },
  });

  const assoc: InstanceProvider = {
    classNames: ['Test_WidgetGadget'],
    async enumerateInstances(ctx: ProviderContext) {
      const cls = ctx.repository.requireClass(ctx.namespace, 'Test_WidgetGadget');
      return LINKS.filter(([w, g]) => store.byClass.get('Test_Widget')?.has(w) && store.byClass.get('Test_Gadget')?.has(g))
        .map(([w, g, count]) => buildInstance(cls, {
          Widget: CimInstanceName.of('Test_Widget', { InstanceID: w }),
          Gadget: CimInstanceName.of('Test_Gadget', { InstanceID: g }),
          Count: count,
        }));
    },
  };
  return [plain(['Test_Widget', 'Test_SpecialWidget', 'Test_Gadget', 'Test_Bulk']), assoc];
}
