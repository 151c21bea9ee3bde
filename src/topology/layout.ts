/**
 * A deterministic layout for a network picture: routers evenly on a circle (in the picture's
 * order), each link's own switch between its two ends, pulled toward the centre so that links
 * between neighbours stay apart from the circle, the network's shared switches in the middle,
 * and the uplink as a band under everything. The same picture always gives the same drawing.
 */
import type { NetworkPicture } from '../virt/networks/types.js';

export interface Point { x: number; y: number }

export type SwitchKind = 'link' | 'shared' | 'outside';

export interface PlacedSwitch extends Point {
  name: string;
  kind: SwitchKind;
  up: boolean;
  /** The link whose own switch this is. */
  link?: string;
}

export interface Layout {
  width: number;
  height: number;
  centre: Point;
  radius: number;
  /** Router name → position and the outward direction its label goes in (unit vector). */
  routers: Map<string, Point & { out: Point }>;
  switches: Map<string, PlacedSwitch>;
  uplink: { x: number; y: number; width: number; height: number };
}

/** Room a router takes along the circle, px: keeps 100 routers apart without overlapping. */
const ROUTER_PITCH = 52;
/** Up to this many links, their labels are level; beyond, they run along the radius (svg.ts). */
export const LEVEL_LABELS_MAX = 6;
/** Smallest circle: room between neighbouring links for level labels, or along the radius for the others. */
const MIN_RADIUS_LEVEL = 220;
const MIN_RADIUS_RADIAL = 330;
/** Room for labels left and right of the circle (names are shown up to 24 characters). */
const SIDE_MARGIN = 200;
const TOP_MARGIN = 110;
const UPLINK_GAP = 90;
/** Beyond this many routers their labels run along the radius (svg.ts), and need room above and below too. */
export const LEVEL_ROUTER_LABELS_MAX = 24;
const RADIAL_LABEL_ROOM = 230;
const UPLINK_HEIGHT = 46;
/** A link's switch sits this far from the chord's midpoint toward the centre (fraction of the way). */
const LINK_PULL = 0.22;
/** No link's switch nearer the centre than this fraction of the radius: the middle is the shared switches'. */
const MIDDLE_CLEAR = 0.4;

/** Every switch the picture names: its own, the links', and any an interface is on outside the network. */
export function switchesOf(p: NetworkPicture): { name: string; kind: SwitchKind; up: boolean; link?: string }[] {
  const linkOf = new Map(p.links.map((l) => [l.switch, l.name] as const));
  const out = new Map<string, { name: string; kind: SwitchKind; up: boolean; link?: string }>();
  for (const s of p.switches) {
    const link = s.link ?? linkOf.get(s.name);
    out.set(s.name, link !== undefined ? { name: s.name, kind: 'link', up: s.up, link } : { name: s.name, kind: 'shared', up: s.up });
  }
  for (const l of p.links) if (!out.has(l.switch)) out.set(l.switch, { name: l.switch, kind: 'link', up: true, link: l.name });
  for (const sys of p.systems) {
    for (const nic of sys.interfaces) if (!out.has(nic.switch)) out.set(nic.switch, { name: nic.switch, kind: 'outside', up: true });
  }
  return [...out.values()];
}

export function layOut(p: NetworkPicture): Layout {
  const n = p.systems.length;
  const min = p.links.length <= LEVEL_LABELS_MAX ? MIN_RADIUS_LEVEL : MIN_RADIUS_RADIAL;
  const radius = Math.max(min, Math.ceil((n * ROUTER_PITCH) / (2 * Math.PI)));
  const radial = n > LEVEL_ROUTER_LABELS_MAX;
  const side = radial ? RADIAL_LABEL_ROOM : SIDE_MARGIN;
  const centre = { x: side + radius, y: (radial ? RADIAL_LABEL_ROOM : TOP_MARGIN) + radius };
  const width = 2 * (side + radius);

  const routers = new Map<string, Point & { out: Point }>();
  circleOrder(p).forEach((s, i) => {
    // First router at the top, then clockwise.
    const a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(n, 1);
    const out = { x: Math.cos(a), y: Math.sin(a) };
    routers.set(s.name, { x: round(centre.x + radius * out.x), y: round(centre.y + radius * out.y), out });
  });

  const switches = new Map<string, PlacedSwitch>();
  const all = switchesOf(p);
  const middle = all.filter((s) => s.kind !== 'link');
  const inner = middle.length <= 1 ? 0 : Math.min(radius * 0.45, Math.max(60, (middle.length * 70) / (2 * Math.PI)));
  middle.forEach((s, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / middle.length;
    switches.set(s.name, { ...s, x: round(centre.x + inner * Math.cos(a)), y: round(centre.y + inner * Math.sin(a)) });
  });
  const linkByName = new Map(p.links.map((l) => [l.name, l] as const));
  for (const s of all.filter((x) => x.kind === 'link')) {
    const link = s.link !== undefined ? linkByName.get(s.link) : undefined;
    const a = link ? routers.get(link.ends[0].system) : undefined;
    const b = link ? routers.get(link.ends[1].system) : undefined;
    let at: Point;
    if (a && b) {
      const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
      // Both ends on one router: the switch goes inward from it.
      const pull = a === b ? 0.3 : LINK_PULL;
      at = { x: mid.x + (centre.x - mid.x) * pull, y: mid.y + (centre.y - mid.y) * pull };
      // No link switch in the middle: out from the centre, or aside (square to the link) for a link right across the circle.
      const off = Math.hypot(at.x - centre.x, at.y - centre.y);
      const clear = radius * MIDDLE_CLEAR;
      if (a !== b && off < clear && off >= 1) {
        at = { x: centre.x + ((at.x - centre.x) / off) * clear, y: centre.y + ((at.y - centre.y) / off) * clear };
      } else if (a !== b && off < 1) {
        let nx = -(b.y - a.y);
        let ny = b.x - a.x;
        if (nx < 0 || (nx === 0 && ny < 0)) { nx = -nx; ny = -ny; }
        const len = Math.hypot(nx, ny);
        at = { x: centre.x + (nx / len) * clear, y: centre.y + (ny / len) * clear };
      }
    } else {
      at = a ?? b ?? centre;
    }
    switches.set(s.name, { ...s, x: round(at.x), y: round(at.y) });
  }

  const uplinkY = centre.y + radius + (radial ? RADIAL_LABEL_ROOM : UPLINK_GAP);
  return {
    width,
    height: uplinkY + UPLINK_HEIGHT + 30,
    centre,
    radius,
    routers,
    switches,
    uplink: { x: side / 2, y: uplinkY, width: width - side, height: UPLINK_HEIGHT },
  };
}

/**
 * The routers in their order round the circle: linked routers next to each other where the links
 * allow (a depth-first walk along the links, in the picture's order), so a ring stays a ring and
 * a chain a chain; routers without links follow in the picture's order.
 */
export function circleOrder(p: NetworkPicture): NetworkPicture['systems'] {
  const byName = new Map(p.systems.map((s) => [s.name, s] as const));
  const next = new Map<string, string[]>();
  for (const l of p.links) {
    const [a, b] = [l.ends[0].system, l.ends[1].system];
    if (a === b || !byName.has(a) || !byName.has(b)) continue;
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const list = next.get(from);
      if (list) list.push(to);
      else next.set(from, [to]);
    }
  }
  const seen = new Set<string>();
  const out: NetworkPicture['systems'] = [];
  const visit = (start: string): void => {
    const stack = [start];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      out.push(byName.get(name)!);
      // Reversed onto the stack: the first neighbour is walked first.
      for (const n of [...(next.get(name) ?? [])].reverse()) if (!seen.has(n)) stack.push(n);
    }
  };
  for (const s of p.systems) if (next.has(s.name)) visit(s.name);
  for (const s of p.systems) if (!seen.has(s.name)) { seen.add(s.name); out.push(s); }
  return out;
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
