/**
 * A picture patched domain after domain (a whole network launched) shares what did not change
 * with the picture before it; what it answers must be what a picture copied whole would answer,
 * across the folds of its deltas.
 */
import { expect } from 'chai';
import { joinConfigs, withDomainAdded, withDomainReplaced, withPaused, type DomainView, type Snapshot } from '../../../src/drivers/xl/picture.js';
import { parseStateFlags, type ListRow } from '../../../src/drivers/xl/parse/list.js';
import type { ViewIndex } from '../../../src/drivers/xl/picture-layers.js';
import type { XlDomainConfig } from '../../../src/drivers/xl/parse/list-long.js';

function row(domid: number, name: string, uuid?: string): ListRow {
  return { name, domid, memMiB: 128, vcpus: 1, state: 'r-----', flags: parseStateFlags('r-----'), cpuTimeSec: 0, ...(uuid ? { uuid } : {}) };
}

const uuidOf = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** What the picture answered when each patch copied the list and the three Maps whole. */
class Copied {
  domains: DomainView[];
  byDomid: Map<number, DomainView>;
  byName: Map<string, DomainView>;
  byUuid: Map<string, DomainView>;
  constructor(s: Snapshot) {
    this.domains = [...s.domains];
    this.byDomid = new Map(s.domains.map((v) => [v.row.domid, v]));
    this.byName = new Map();
    this.byUuid = new Map();
    for (const v of s.domains) {
      if (!this.byName.has(v.row.name)) this.byName.set(v.row.name, v);
      if (v.row.uuid && v.row.domid !== 0) this.byUuid.set(v.row.uuid, v);
    }
  }
  replace(old: DomainView, view: DomainView): void {
    this.domains = this.domains.map((v) => (v === old ? view : v));
    for (const [m, key] of [[this.byDomid, old.row.domid], [this.byName, old.row.name], [this.byUuid, old.row.uuid]] as [Map<unknown, DomainView>, unknown][]) {
      if (key !== undefined && m.get(key) === old) m.set(key, view);
    }
  }
  add(view: DomainView): void {
    this.domains.push(view);
    this.byDomid.set(view.row.domid, view);
    this.byName.set(view.row.name, view);
    if (view.row.uuid) this.byUuid.set(view.row.uuid, view);
  }
}

function expectSame(s: Snapshot, c: Copied, keys: { domids: number[]; names: string[]; uuids: string[] }, step: number): void {
  expect(s.domains.length, `step ${step}`).to.equal(c.domains.length);
  expect(s.domains.every((v, i) => v === c.domains[i]), `step ${step}: the same objects`).to.equal(true);
  const differ = <K>(index: ViewIndex<K>, copy: Map<K, DomainView>, ks: K[]): K[] => ks.filter((k) => index.get(k) !== copy.get(k) || index.has(k) !== copy.has(k));
  expect([...differ(s.byDomid, c.byDomid, keys.domids), ...differ(s.byName, c.byName, keys.names), ...differ(s.byUuid, c.byUuid, keys.uuids)], `step ${step}`).to.deep.equal([]);
}

describe('xl driver: a patched picture shares what did not change with the one before it', () => {
  it('answers as a picture copied whole would, over 600 pauses, unpauses and starts among 100 domains (its deltas folded on the way)', () => {
    // Two domains share a name (one dying, as in a reboot), so a name stays with the one it was given to.
    const rows = [row(0, 'Domain-0'), ...Array.from({ length: 100 }, (_, i) => row(i + 1, i === 7 ? 'd6' : `d${i}`, uuidOf(i + 1)))];
    let snap = joinConfigs(rows, new Map(), false, 1);
    const copied = new Copied(snap);
    const keys = { domids: [...rows.map((r) => r.domid), 999, 1000], names: [...rows.map((r) => r.name), 'n1', 'nope'], uuids: [...rows.flatMap((r) => (r.uuid ? [r.uuid] : [])), uuidOf(999)] };
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let next = 1000;
    for (let step = 0; step < 600; step++) {
      if (random(10) === 0) {
        const view = { row: row(next, `n${next - 999}`, uuidOf(next)) };
        keys.domids.push(next);
        keys.names.push(view.row.name);
        keys.uuids.push(view.row.uuid!);
        next++;
        snap = withDomainAdded(snap, view);
        copied.add(view);
      } else {
        const old = snap.domains[random(snap.domains.length)]!;
        const view = { ...old, row: withPaused(old.row, !old.row.state.includes('p')) };
        const before = snap;
        snap = withDomainReplaced(snap, old, view);
        copied.replace(old, view);
        expect(snap.patchOf).to.deep.equal({ base: before, old, view });
        expect(before.patchOf).to.equal(undefined);
      }
      expectSame(snap, copied, keys, step);
    }
  });

  it('answers as the whole copy did with uuids only in a config, a dying twin, stale views patched, and leaves every picture served before as it was', () => {
    /** The patch as it was made before the layers: every index and the list copied whole. */
    const copyReplaced = (cur: Snapshot, old: DomainView, view: DomainView): Snapshot => {
      const swap = <K>(m: ViewIndex<K>, key: K | undefined): Map<K, DomainView> => {
        const out = new Map(m as Map<K, DomainView>);
        if (key !== undefined && out.get(key) === old) out.set(key, view);
        return out;
      };
      return { ...cur, domains: cur.domains.map((v) => (v === old ? view : v)), byDomid: swap(cur.byDomid, old.row.domid), byName: swap(cur.byName, old.row.name), byUuid: swap(cur.byUuid, old.row.uuid ?? old.config?.uuid) };
    };
    const copyAdded = (cur: Snapshot, view: DomainView): Snapshot => {
      const add = <K>(m: ViewIndex<K>, key: K | undefined): Map<K, DomainView> => {
        const out = new Map(m as Map<K, DomainView>);
        if (key !== undefined) out.set(key, view);
        return out;
      };
      return { ...cur, domains: [...cur.domains, view], byDomid: add(cur.byDomid, view.row.domid), byName: add(cur.byName, view.row.name), byUuid: add(cur.byUuid, view.row.uuid) };
    };
    let seed = 777;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let trial = 0; trial < 12; trial++) {
      const n = 1 + random(80);
      const rows = [row(0, 'Domain-0')];
      const configs = new Map<number, XlDomainConfig>();
      for (let i = 1; i <= n; i++) {
        const name = random(5) === 0 ? `d${random(i)}` : `d${i}`; // some names twice
        const uuid = random(6) === 0 ? uuidOf(random(i) + 1) : uuidOf(i); // some uuids twice (a reboot's twin)
        const inRow = random(4) !== 0; // else the uuid is only in the config
        const r = row(i, name, inRow ? uuid : undefined);
        rows.push(random(5) === 0 ? { ...r, state: 'r----d', flags: parseStateFlags('r----d') } : r);
        if (!inRow || random(2) === 0) configs.set(i, { name, uuid, domid: i } as XlDomainConfig);
      }
      let layered = joinConfigs(rows, configs, true, 1);
      let copied = layered;
      const seen = [...layered.domains];
      const held: [Snapshot, Snapshot, DomainView[]][] = [];
      const keys = { domids: [...rows.map((r) => r.domid), 5000], names: [...new Set(rows.map((r) => r.name))], uuids: Array.from({ length: n + 2 }, (_, i) => uuidOf(i)) };
      let next = 1000;
      for (let step = 0; step < 120; step++) {
        const k = random(10);
        if (k === 0) {
          const view = { row: row(next, `n${next}`, uuidOf(next)) };
          keys.domids.push(next);
          keys.names.push(view.row.name);
          keys.uuids.push(uuidOf(next++));
          layered = withDomainAdded(layered, view);
          copied = copyAdded(copied, view);
          seen.push(view);
        } else {
          // Mostly the domain's current view, as snapshot.ts patches; sometimes one a later patch replaced.
          const old = (k === 1 ? undefined : layered.byDomid.get(keys.domids[random(keys.domids.length)]!)) ?? seen[random(seen.length)]!;
          const view = { ...old, row: withPaused(old.row, !old.row.state.includes('p')) };
          layered = withDomainReplaced(layered, old, view);
          copied = copyReplaced(copied, old, view);
          seen.push(view);
        }
        const where = `trial ${trial}, step ${step}`;
        // A picture held by a reader: its list is read only at the end, after the patches made from it.
        if (random(12) === 0) held.push([layered, copied, [...copied.domains]]);
        else expect(layered.domains.length === copied.domains.length && layered.domains.every((v, i) => v === copied.domains[i]), `${where}: the same list`).to.equal(true);
        const differ = (a: Snapshot, b: Snapshot): string[] => [
          ...keys.domids.filter((d) => a.byDomid.get(d) !== b.byDomid.get(d)).map(String),
          ...keys.names.filter((x) => a.byName.get(x) !== b.byName.get(x)),
          ...keys.uuids.filter((u) => a.byUuid.get(u) !== b.byUuid.get(u) || a.byUuid.has(u) !== b.byUuid.has(u)),
        ];
        expect(differ(layered, copied), where).to.deep.equal([]);
        for (const [a, b] of held) expect(differ(a, b), `${where}: a picture served before`).to.deep.equal([]);
      }
      for (const [a, , list] of held) {
        expect(a.domains.length === list.length && a.domains.every((v, i) => v === list[i]), `trial ${trial}: the list of a picture served before`).to.equal(true);
      }
    }
  });

  it('leaves the picture it was made from as it was', () => {
    const base = joinConfigs([row(0, 'Domain-0'), row(1, 'a', uuidOf(1)), row(2, 'b', uuidOf(2))], new Map(), false, 1);
    const a = base.byName.get('a')!;
    const paused = withDomainReplaced(base, a, { ...a, row: withPaused(a.row, true) });
    const added = withDomainAdded(paused, { row: row(3, 'c', uuidOf(3)) });
    expect(base.domains.map((v) => v.row.state)).to.deep.equal(['r-----', 'r-----', 'r-----']);
    expect(base.byName.get('a')).to.equal(a);
    expect(base.byDomid.has(3)).to.equal(false);
    expect(paused.byDomid.has(3)).to.equal(false);
    expect(paused.domains).to.have.length(3);
    expect(added.domains.map((v) => v.row.name)).to.deep.equal(['Domain-0', 'a', 'b', 'c']);
    expect(added.byName.get('a')!.row.state).to.equal('r-p---');
  });
});
