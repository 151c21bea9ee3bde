/**
 * DSP1053 Base Metrics: one Xen_BaseMetricDefinition per metric, and the latest value of each on
 * every measured element — the active virtual systems (Xen_ComputerSystem), the processor and
 * memory pools and the host — linked by MetricDefForME, MetricInstance and MetricForME
 * (DSP1053 §7). Values come from the model's latest sample (virt/metrics.ts): a read never asks
 * the hypervisor; before the first sample there are no values.
 */
import { CimDateTime, type CimInstanceName } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import type { MetricsSample } from '../../virt/index.js';
import { build } from '../shared/build.js';
import type { ProviderDeps } from '../shared/deps.js';
import {
  POOL_CLASS, VIRT_NS, computerSystemName, hostName, instanceIdName, metricDefinitionName, poolInstanceId, poolName,
} from '../shared/naming.js';
import { type ProfileProviders, profileProvider } from '../shared/provider.js';
import { METRICS, type MetricDef, capacityValue, metricId, systemDurationMs, systemValue } from './definitions.js';

const DEFINITION = 'Xen_BaseMetricDefinition';
const VALUE = 'Xen_BaseMetricValue';
const DEF_FOR_ME = 'Xen_MetricDefForME';
const INSTANCE = 'Xen_MetricInstance';
const FOR_ME = 'Xen_MetricForME';
/** GatheringType 3 Periodic: sampled every interval, outside requests. */
const PERIODIC = 3;

/** One measured value: the element, its display name and its number. */
interface Measured {
  def: MetricDef;
  element: CimInstanceName;
  /** Unique among the elements: the system name, `host`, or the pool's InstanceID. */
  elementKey: string;
  elementName: string;
  value: number;
  at: number;
  /** Duration: what the definition's TimeScope says (systemDurationMs); 0 for a point in time. */
  durationMs: number;
}

function measured(deps: ProviderDeps, sample: MetricsSample | undefined): Measured[] {
  if (!sample) return [];
  const out: Measured[] = [];
  for (const def of METRICS) {
    if (def.scope === 'system') {
      for (const s of sample.systems) {
        const value = systemValue(def, s);
        if (value === undefined) continue;
        out.push({ def, element: computerSystemName(s.name), elementKey: s.name, elementName: s.name, value, at: s.at, durationMs: systemDurationMs(def, s) });
      }
      continue;
    }
    for (const pool of sample.pools) {
      const value = capacityValue(def, pool);
      if (value === undefined || (pool.kind !== 'memory' && pool.kind !== 'processor')) continue;
      const id = poolInstanceId(pool.kind, pool.id.split('/')[1] ?? '0');
      out.push({ def, element: poolName({ className: POOL_CLASS[pool.kind], poolId: id }), elementKey: id, elementName: pool.name, value, at: sample.at, durationMs: 0 });
    }
    const value = capacityValue(def, sample.host);
    if (value !== undefined) out.push({ def, element: hostName(deps.hostName), elementKey: 'host', elementName: deps.hostName, value, at: sample.at, durationMs: 0 });
  }
  return out;
}

const valueId = (m: Measured): string => `${metricId(m.def)}:${m.elementKey}`;
const valueName = (m: Measured): CimInstanceName => instanceIdName(VALUE, valueId(m));

// What threshold alerts (DSP1054) read: the same definitions and values.
export { METRICS, type MetricDef, capacityValue, systemValue } from './definitions.js';

export const baseMetrics: ProfileProviders = (deps) => {
  const current = (): Measured[] => measured(deps, deps.virt.metrics.latest());
  const valueInstance = (ctx: ProviderContext, m: Measured) => build(ctx, VALUE, {
    InstanceID: valueId(m),
    MetricDefinitionId: metricId(m.def),
    MeasuredElementName: m.elementName,
    TimeStamp: CimDateTime.fromDate(new Date(m.at)),
    Duration: CimDateTime.interval(m.durationMs),
    MetricValue: String(m.value),
    Volatile: true,
    ElementName: `${m.def.name} of ${m.elementName}`,
  });
  /** Each definition once per element it has a value for. */
  const defForMe = (ms: Measured[]) => {
    const seen = new Set<string>();
    return ms.filter((m) => {
      const k = `${m.def.key}|${m.elementKey}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  };
  return [{
    namespace: VIRT_NS,
    provider: profileProvider({
      classes: {
        [DEFINITION]: {
          list: async (ctx) => METRICS.map((def) => build(ctx, DEFINITION, {
            Id: metricId(def), Name: def.name, ElementName: def.name, Description: def.description,
            DataType: def.dataType, Calculable: def.calculable, Units: def.units, ProgrammaticUnits: def.programmaticUnits,
            ChangeType: def.changeType, TimeScope: def.timeScope, GatheringType: PERIODIC, IsContinuous: true,
          })),
        },
        [VALUE]: { list: async (ctx) => current().map((m) => valueInstance(ctx, m)) },
        [DEF_FOR_ME]: {
          list: async (ctx) => defForMe(current()).map((m) => build(ctx, DEF_FOR_ME, { Antecedent: m.element, Dependent: metricDefinitionName(metricId(m.def)) })),
        },
        [INSTANCE]: {
          list: async (ctx) => current().map((m) => build(ctx, INSTANCE, { Antecedent: metricDefinitionName(metricId(m.def)), Dependent: valueName(m) })),
        },
        [FOR_ME]: {
          list: async (ctx) => current().map((m) => build(ctx, FOR_ME, { Antecedent: m.element, Dependent: valueName(m) })),
        },
      },
    }),
  }];
};
