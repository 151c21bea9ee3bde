/**
 * A network picture as an SVG document, built as text (no DOM): routers coloured and labelled
 * by state, switches, links with their bandwidth limit, reservation and state, and the virtual
 * topology over the uplink band, which shows only the advertised bandwidth (never a physical
 * interface name or address). Every name is escaped (escape.ts). Each element carries a class
 * (`router`, `switch`, `link`) and `data-name`, so a reader or a test can find it.
 */
import type { NetworkPicture } from '../virt/networks/types.js';
import { escapeXml as x, shorten } from './escape.js';
import { formatBitsPerSecond, stateColour, stateLabel } from './format.js';
import { LEVEL_LABELS_MAX, LEVEL_ROUTER_LABELS_MAX, layOut, type Layout, type PlacedSwitch, type Point } from './layout.js';
import { linkState, reservedShare } from './summary.js';

const NAME_CHARS = 24;
const ROUTER_R = 17;
const FONT = 'DejaVu Sans, Verdana, sans-serif';
const LEGEND: [string, Parameters<typeof stateColour>[0]][] = [
  ['running', 'running'], ['paused', 'paused'], ['suspended', 'suspended'], ['stopped', 'defined'], ['crashed', 'crashed'],
];

export function renderNetworkSvg(p: NetworkPicture): string {
  const lay = layOut(p);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${lay.width}" height="${lay.height}" viewBox="0 0 ${lay.width} ${lay.height}"`
    + ` font-family="${FONT}" font-size="13" role="img" aria-labelledby="title">`,
    `<title id="title">Virtual network ${x(p.name)} (${x(p.state)})</title>`,
    `<rect width="${lay.width}" height="${lay.height}" fill="#fbfbf8"/>`,
    `<text class="heading" x="24" y="36" font-size="20" font-weight="bold">network ${x(shorten(p.name, 40))}</text>`,
    `<text class="heading-state" x="24" y="58" fill="#444">${x(p.state)} · ${p.systems.length} routers · ${p.links.length} links</text>`,
  );
  legend(out, lay);
  uplink(out, p, lay);
  attachments(out, p, lay);
  links(out, p, lay);
  switches(out, lay);
  routers(out, p, lay);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function legend(out: string[], lay: Layout): void {
  out.push('<g class="legend" font-size="11">');
  LEGEND.forEach(([label, state], i) => {
    const lx = lay.width - 110;
    const ly = 24 + i * 17;
    out.push(`<circle cx="${lx}" cy="${ly}" r="6" fill="${stateColour(state)}"/><text x="${lx + 12}" y="${ly + 4}">${label}</text>`);
  });
  out.push('</g>');
}

function uplink(out: string[], p: NetworkPicture, lay: Layout): void {
  const u = lay.uplink;
  const share = reservedShare(p);
  const bar = Math.round(u.width * Math.min(1, share) * 10) / 10;
  out.push(
    `<g class="uplink" data-bandwidth="${p.uplinkBitsPerSecond}" data-reserved="${p.reservedBitsPerSecond}">`,
    `<title>uplink: ${x(formatBitsPerSecond(p.uplinkBitsPerSecond))} advertised, ${x(formatBitsPerSecond(p.reservedBitsPerSecond))} reserved by links</title>`,
    `<rect x="${u.x}" y="${u.y}" width="${u.width}" height="${u.height}" rx="6" fill="#eceff1" stroke="#90a4ae"/>`,
    `<rect class="reserved" x="${u.x}" y="${u.y + u.height - 6}" width="${bar}" height="6" fill="#5c6bc0"/>`,
    `<text x="${u.x + 14}" y="${u.y + 26}">uplink · ${x(formatBitsPerSecond(p.uplinkBitsPerSecond))} advertised · `
    + `${x(formatBitsPerSecond(p.reservedBitsPerSecond))} reserved (${Math.round(share * 1000) / 10}%)</text>`,
    // The virtual topology stands on the uplink: one stem from the middle of the circle.
    `<line x1="${lay.centre.x}" y1="${lay.centre.y + lay.radius + 30}" x2="${lay.centre.x}" y2="${u.y}" stroke="#90a4ae" stroke-dasharray="4 4"/>`,
    '</g>',
  );
}

/** Interfaces on switches that are not a link's own: a thin line from the router to the switch. */
function attachments(out: string[], p: NetworkPicture, lay: Layout): void {
  out.push('<g class="attachments">');
  for (const s of p.systems) {
    const r = lay.routers.get(s.name)!;
    for (const nic of s.interfaces) {
      const sw = lay.switches.get(nic.switch);
      if (!sw || sw.kind === 'link') continue;
      out.push(`<line class="attachment" data-system="${x(s.name)}" data-switch="${x(nic.switch)}" x1="${r.x}" y1="${r.y}" x2="${sw.x}" y2="${sw.y}"`
        + ` stroke="#b0bec5" stroke-width="1.5"><title>${x(s.name)} ${x(nic.mac)} on ${x(nic.switch)}, ${x(formatBitsPerSecond(nic.limitBitsPerSecond))}</title></line>`);
    }
  }
  out.push('</g>');
}

function links(out: string[], p: NetworkPicture, lay: Layout): void {
  out.push('<g class="links">');
  for (const l of p.links) {
    const state = linkState(p, l);
    const sw = lay.switches.get(l.switch)!;
    const a = lay.routers.get(l.ends[0].system) ?? sw;
    const b = lay.routers.get(l.ends[1].system) ?? sw;
    const stroke = state === 'up' ? 'stroke="#37474f" stroke-width="3"' : 'stroke="#9e9e9e" stroke-width="2" stroke-dasharray="6 4"';
    const limit = formatBitsPerSecond(l.limitBitsPerSecond);
    const reservation = l.reservationBitsPerSecond !== undefined ? ` · ≥${formatBitsPerSecond(l.reservationBitsPerSecond)}` : '';
    out.push(
      `<g class="link" data-name="${x(l.name)}" data-state="${state}" data-limit="${l.limitBitsPerSecond ?? ''}" data-reservation="${l.reservationBitsPerSecond ?? ''}">`,
      `<title>link ${x(l.name)} (${state}): ${x(l.ends[0].system)} ${x(l.ends[0].mac)} ↔ ${x(l.ends[1].system)} ${x(l.ends[1].mac)} on ${x(l.switch)};`
      + ` limit ${x(limit)}, reservation ${x(formatBitsPerSecond(l.reservationBitsPerSecond ?? 0))}</title>`,
      `<polyline points="${a.x},${a.y} ${sw.x},${sw.y} ${b.x},${b.y}" fill="none" ${stroke}/>`,
      linkLabel(sw, lay.centre, p.links.length, x(shorten(l.name, NAME_CHARS)), x(limit) + x(reservation)),
      '</g>',
    );
  }
  out.push('</g>');
}

/** Text over lines stays readable: a halo in the background colour is painted under it. */
const HALO = 'stroke="#fbfbf8" stroke-width="3" stroke-linejoin="round" paint-order="stroke"';
/** How far a level label reaches from its switch, and the middle it must keep clear of (px from the centre). */
const LABEL_DEPTH = 50;
const MIDDLE_CLEAR = 75;

/** Where a link's label goes, and its two parts: the name, the bandwidth. */
function linkLabel(sw: Point, centre: Point, links: number, name: string, bandwidth: string): string {
  const dx = sw.x - centre.x;
  const dy = sw.y - centre.y;
  const d = Math.hypot(dx, dy);
  const nameSpan = `<tspan class="name" font-weight="bold">${name}</tspan>`;
  if (links <= LEVEL_LABELS_MAX || d < 1) {
    // Level, in two lines just inside the switch (toward the centre), or just outside it when
    // the inside is the middle, where the shared switches are.
    if (d >= 1 && Math.abs(dx / d) > 0.7) {
      // A switch left or right of the middle: the label beside it, on the outer side.
      const right = dx > 0;
      const lx = Math.round(sw.x + (right ? 12 : -12));
      return `<text class="label" x="${lx}" y="${Math.round(sw.y - 3)}" text-anchor="${right ? 'start' : 'end'}" font-size="11" ${HALO}>${nameSpan}`
        + `<tspan class="bandwidth" x="${lx}" dy="13" fill="#37474f">${bandwidth}</tspan></text>`;
    }
    const side = d - LABEL_DEPTH < MIDDLE_CLEAR ? -1 : 1;
    const lx = d < 1 ? sw.x : Math.round(sw.x - side * (dx / d) * 24);
    const ly = d < 1 ? sw.y + 22 : Math.round(sw.y - side * (dy / d) * 24 + (side * dy > 0 ? -8 : 4));
    return `<text class="label" x="${lx}" y="${ly}" text-anchor="middle" font-size="11" ${HALO}>${nameSpan}`
      + `<tspan class="bandwidth" x="${lx}" dy="13" fill="#37474f">${bandwidth}</tspan></text>`;
  }
  // Along the radius, from just inside the switch toward the centre, never upside down: neighbours never overlap.
  const ux = dx / d;
  const uy = dy / d;
  const px = Math.round(sw.x - ux * 12);
  const py = Math.round(sw.y - uy * 12);
  const deg = (Math.atan2(uy, ux) * 180) / Math.PI;
  const [anchor, turn] = ux < 0 ? ['start', deg + 180] : ['end', deg];
  return `<text class="label" x="${px}" y="${py}" text-anchor="${anchor}" dominant-baseline="middle" transform="rotate(${Math.round(turn * 10) / 10} ${px} ${py})"`
    + ` font-size="11" ${HALO}>${nameSpan} <tspan class="bandwidth" fill="#37474f">${bandwidth}</tspan></text>`;
}

function switches(out: string[], lay: Layout): void {
  out.push('<g class="switches">');
  for (const s of lay.switches.values()) out.push(switchElement(s));
  out.push('</g>');
}

function switchElement(s: PlacedSwitch): string {
  const title = `<title>switch ${x(s.name)}${s.link !== undefined ? ` (link ${x(s.link)})` : s.kind === 'outside' ? ' (not part of this network)' : ''}, ${s.up ? 'up' : 'down'}</title>`;
  const attrs = `class="switch" data-name="${x(s.name)}" data-kind="${s.kind}" data-up="${s.up}"`;
  const fill = s.up ? '#ffffff' : '#eeeeee';
  if (s.kind === 'link') {
    return `<g ${attrs}>${title}<rect x="${s.x - 6}" y="${s.y - 6}" width="12" height="12" fill="${fill}" stroke="#37474f" stroke-width="2"/></g>`;
  }
  const w = 130;
  const dash = s.kind === 'outside' ? ' stroke-dasharray="4 3"' : '';
  return `<g ${attrs}>${title}<rect x="${s.x - w / 2}" y="${s.y - 14}" width="${w}" height="28" rx="4" fill="${fill}" stroke="#455a64" stroke-width="1.5"${dash}/>`
    + `<text class="name" x="${s.x}" y="${s.y + 4}" text-anchor="middle" font-size="12">${x(shorten(s.name, 16))}</text></g>`;
}

function routers(out: string[], p: NetworkPicture, lay: Layout): void {
  out.push('<g class="routers">');
  const radial = p.systems.length > LEVEL_ROUTER_LABELS_MAX;
  for (const s of p.systems) {
    const r = lay.routers.get(s.name)!;
    const label = stateLabel(s.state);
    const name = x(shorten(s.name, NAME_CHARS));
    out.push(
      `<g class="router" data-name="${x(s.name)}" data-state="${x(label)}" data-priority="${s.priority}">`,
      `<title>router ${x(s.name)}: ${x(label)}, priority ${s.priority}, ${s.interfaces.length} interfaces</title>`,
      `<circle cx="${r.x}" cy="${r.y}" r="${ROUTER_R}" fill="${stateColour(s.state)}" stroke="#212121" stroke-width="1.5"/>`,
    );
    if (radial) {
      // Many routers: one line along the radius, outward from the router, never upside down.
      const px = Math.round(r.x + r.out.x * (ROUTER_R + 6));
      const py = Math.round(r.y + r.out.y * (ROUTER_R + 6));
      const deg = (Math.atan2(r.out.y, r.out.x) * 180) / Math.PI;
      const [anchor, turn] = r.out.x < 0 ? ['end', deg + 180] : ['start', deg];
      out.push(`<text class="label" x="${px}" y="${py}" text-anchor="${anchor}" dominant-baseline="middle" transform="rotate(${Math.round(turn * 10) / 10} ${px} ${py})" ${HALO}>`
        + `<tspan class="name" font-weight="bold">${name}</tspan> <tspan class="state" font-size="11" fill="${stateColour(s.state)}">${x(label)}</tspan></text>`);
    } else {
      const anchor = r.out.x > 0.3 ? 'start' : r.out.x < -0.3 ? 'end' : 'middle';
      const lx = Math.round(r.x + r.out.x * (ROUTER_R + 8));
      // Labels above a router at the top, below one at the bottom, beside one at the sides.
      const ly = Math.round(r.y + r.out.y * (ROUTER_R + 14) + (r.out.y < -0.3 ? -10 : 4));
      out.push(
        `<text class="name" x="${lx}" y="${ly}" text-anchor="${anchor}" font-weight="bold" ${HALO}>${name}</text>`,
        `<text class="state" x="${lx}" y="${ly + 14}" text-anchor="${anchor}" font-size="11" fill="${stateColour(s.state)}">${x(label)}</text>`,
      );
    }
    out.push('</g>');
  }
  out.push('</g>');
}
