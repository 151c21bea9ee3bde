/**
 * Metric thresholds (docs/metrics.md): for each configured DSP1053 metric, every sample is
 * compared with its threshold per element (a virtual system, or the host for the capacity
 * figures); a value going above it is reported once, and once again when it is back at or
 * below it — an edge, not every sample, so a busy system does not flood the listeners.
 */
import type { MetricsSample } from '../../virt/index.js';
import { METRICS, type MetricDef, capacityValue, systemValue } from '../dsp1053-base-metrics/index.js';

export interface Crossing {
  metric: string;
  /** The system's name, or undefined for the host. */
  system: string | undefined;
  value: number;
  threshold: number;
  /** 'over': went above the threshold; 'back': at or below it again. */
  direction: 'over' | 'back';
  at: number;
}

/** The metric definitions of a threshold table; an unknown name is an error naming the known ones. */
export function thresholdMetrics(thresholds: Record<string, number>): { def: MetricDef; threshold: number }[] {
  return Object.entries(thresholds).map(([name, threshold]) => {
    const def = METRICS.find((m) => m.key.toLowerCase() === name.toLowerCase());
    if (!def) throw new Error(`unknown metric "${name}" (known: ${METRICS.map((m) => m.key).join(', ')})`);
    if (!Number.isFinite(threshold)) throw new Error(`the threshold of ${def.key} must be a number`);
    return { def, threshold };
  });
}

export class ThresholdWatch {
  private readonly over = new Set<string>();
  private readonly watched: { def: MetricDef; threshold: number }[];

  constructor(thresholds: Record<string, number>) {
    this.watched = thresholdMetrics(thresholds);
  }

  get empty(): boolean {
    return this.watched.length === 0;
  }

  /** The crossings of one sample. A system gone from the sample forgets its state. */
  check(sample: MetricsSample): Crossing[] {
    const out: Crossing[] = [];
    const seen = new Set<string>();
    const edge = (def: MetricDef, threshold: number, system: string | undefined, value: number | undefined): void => {
      if (value === undefined) return;
      const key = `${def.key}|${system ?? ''}`;
      seen.add(key);
      const above = value > threshold;
      if (above === this.over.has(key)) return;
      if (above) this.over.add(key);
      else this.over.delete(key);
      out.push({ metric: def.key, system, value, threshold, direction: above ? 'over' : 'back', at: sample.at });
    };
    for (const { def, threshold } of this.watched) {
      if (def.scope === 'system') for (const s of sample.systems) edge(def, threshold, s.name, systemValue(def, s));
      else edge(def, threshold, undefined, capacityValue(def, sample.host));
    }
    for (const key of [...this.over]) if (!seen.has(key)) this.over.delete(key);
    return out;
  }
}
