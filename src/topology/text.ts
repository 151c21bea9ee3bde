/**
 * A network picture as plain text for a terminal (`xen-wbem network show`): the uplink, the
 * routers with their state, the switches with their ports, the links with bandwidth and state.
 * Control characters in names are shown as \xNN so that a hostile name cannot drive the terminal.
 */
import type { NetworkPicture } from '../virt/networks/types.js';
import { formatBitsPerSecond, stateLabel } from './format.js';
import { switchesOf } from './layout.js';
import { linkState, reservedShare } from './summary.js';

/** C0 and C1 controls and DEL: escape sequences start with them. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function renderNetworkText(p: NetworkPicture): string {
  const t = terminalSafe;
  const lines: string[] = [];
  lines.push(`network ${t(p.name)}: ${p.state}`);
  lines.push(`uplink: ${formatBitsPerSecond(p.uplinkBitsPerSecond)} advertised, ${formatBitsPerSecond(p.reservedBitsPerSecond)} reserved by links`
    + ` (${Math.round(reservedShare(p) * 1000) / 10}%)`);

  lines.push('', `routers (${p.systems.length})`);
  lines.push(...table(['NAME', 'STATE', 'PRIORITY', 'INTERFACES'], p.systems.map((s) => [
    t(s.name), stateLabel(s.state), String(s.priority),
    s.interfaces.map((i) => `${t(i.mac)} on ${t(i.switch)}${i.limitBitsPerSecond !== undefined ? ` (${formatBitsPerSecond(i.limitBitsPerSecond)})` : ''}`).join(', ') || '-',
  ])));

  const sws = switchesOf(p);
  // The routers with an interface on each switch, each once, in the picture's order: one walk.
  const ports = new Map<string, string[]>();
  for (const sys of p.systems) {
    for (const sw of new Set(sys.interfaces.map((i) => i.switch))) {
      const list = ports.get(sw);
      if (list) list.push(sys.name);
      else ports.set(sw, [sys.name]);
    }
  }
  lines.push('', `switches (${sws.length})`);
  lines.push(...table(['NAME', 'KIND', 'STATE', 'PORTS'], sws.map((s) => [
    t(s.name),
    s.kind === 'link' ? `link ${t(s.link ?? '')}` : s.kind === 'outside' ? 'outside the network' : 'shared',
    s.up ? 'up' : 'down',
    (ports.get(s.name) ?? []).map(t).join(', ') || '-',
  ])));

  lines.push('', `links (${p.links.length})`);
  lines.push(...table(['NAME', 'ENDS', 'LIMIT', 'RESERVATION', 'STATE'], p.links.map((l) => [
    t(l.name), `${t(l.ends[0].system)} <-> ${t(l.ends[1].system)}`,
    formatBitsPerSecond(l.limitBitsPerSecond),
    l.reservationBitsPerSecond !== undefined ? formatBitsPerSecond(l.reservationBitsPerSecond) : '-',
    linkState(p, l),
  ])));
  return lines.join('\n') + '\n';
}

/** Left-aligned columns, two spaces apart, indented by two; no rows: "  (none)". */
function table(head: string[], rows: string[][]): string[] {
  if (rows.length === 0) return ['  (none)'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => Array.from(r[i] ?? '').length)));
  const line = (cells: string[]) => '  ' + cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - Array.from(c).length))).join('  ');
  return [line(head), ...rows.map(line)];
}
