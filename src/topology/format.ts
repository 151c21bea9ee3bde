/** Shared wording of a drawing and its text form: bandwidth figures, state names and colours. */
import type { SystemState } from '../virt/states.js';

const UNITS: [number, string][] = [[1e12, 'Tbit/s'], [1e9, 'Gbit/s'], [1e6, 'Mbit/s'], [1e3, 'kbit/s']];

/** 2500000000 → "2.5 Gbit/s"; absent → "unlimited". Decimal (SI) prefixes, as link rates are quoted. */
export function formatBitsPerSecond(bps: number | undefined): string {
  if (bps === undefined) return 'unlimited';
  for (const [size, unit] of UNITS) {
    if (bps >= size) return `${trim(bps / size)} ${unit}`;
  }
  return `${trim(bps)} bit/s`;
}

function trim(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** What a router's state is called in a drawing: a defined system that is not running is "stopped". */
export function stateLabel(state: SystemState): string {
  switch (state) {
    case 'defined': return 'stopped';
    case 'shutting_down': return 'shutting down';
    default: return state;
  }
}

/** Fill colours by state; transitional states share one colour, the label says which. */
export function stateColour(state: SystemState): string {
  switch (state) {
    case 'running': return '#2e7d32';
    case 'paused': return '#ef8f00';
    case 'suspended': return '#1565c0';
    case 'defined': return '#616161';
    case 'crashed': return '#c62828';
    default: return '#6a1b9a';
  }
}
