/**
 * The list of systems of a picture is prepared a slice at a time before the picture is served
 * (view.ts SystemList.prepare): a reader then takes it up without building, unless a definition
 * changed meanwhile, when the prepared list is dropped and the reader's list shows the change.
 */
import { expect } from 'chai';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { buildSnapshot } from '../../../src/drivers/xl/picture.js';
import type { StoredDefinition } from '../../../src/drivers/xl/definition-types.js';
import type { XlCore } from '../../../src/drivers/xl/core.js';
import { SystemList } from '../../../src/drivers/xl/view.js';

const HEADER = 'Name                                        ID   Mem VCPUs\tState\tTime(s)   UUID                            Reason-Code\tSecurity Label';
const uuid = (i: number): string => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

function definition(i: number): StoredDefinition {
  return {
    version: 1, origin: 'defined', expected: 'running',
    config: {
      name: `vm${i}`, uuid: uuid(i), type: 'pv', memoryMiB: 512, maxMemoryMiB: 512, vcpus: 1, maxVcpus: 1, cpuWeight: 256, cpuCap: 0,
      boot: { kernel: '/boot/vmlinuz' }, disks: [], nics: [], onPoweroff: 'destroy', onReboot: 'restart', onCrash: 'destroy',
      priority: 0, autostart: false, memoryReservationMiB: 512, cpuReservationPercent: 0,
    },
  } as unknown as StoredDefinition;
}

/** `xl list -v` of vm1..vmN running, CPU time `t` each. */
function listing(n: number, t: number): string {
  const row = (name: string, id: number, u: string): string => `${name.padEnd(40)} ${String(id).padStart(5)}   512     1     -b----  ${t.toFixed(1).padStart(8)} ${u}        -                -`;
  const rows = [HEADER, row('Domain-0', 0, '00000000-0000-0000-0000-000000000000')];
  for (let i = 1; i <= n; i++) rows.push(row(`vm${i}`, i, uuid(i)));
  return rows.join('\n') + '\n';
}

/** Just what SystemList reads of the driver's core: the store and the in-flight states. */
function fakeCore(n: number) {
  const defs = new Map<string, StoredDefinition>();
  for (let i = 1; i <= n; i++) defs.set(`vm${i}`, definition(i));
  const store = {
    version: 1,
    lists: 0,
    list(): StoredDefinition[] { this.lists++; return [...defs.values()]; },
    get: (name: string) => defs.get(name),
    changedSince: (): string[] | undefined => undefined,
    put(d: StoredDefinition): void { defs.set(d.config.name, d); this.version++; },
  };
  const core = { store, inflight: new Map(), inflightVersion: 0 } as unknown as XlCore;
  return { core, store };
}

describe('xl driver: the list of systems prepared before a picture is served', () => {
  it('is taken up by the first reader, who builds nothing', async () => {
    const { core, store } = fakeCore(2500);
    const list = new SystemList(core);
    const first = buildSnapshot(listing(2500, 1));
    expect(list.of(first)).to.have.length(2500);
    const next = buildSnapshot(listing(2500, 2));
    await list.prepare(next);
    const lists = store.lists;
    const systems = list.of(next);
    expect(store.lists, 'the reader built the list again').to.equal(lists);
    expect(systems).to.have.length(2500);
    expect(systems.every((s) => s.live?.cpuTimeSec === 2)).to.equal(true);
  });

  it('gives the loop its turn between slices, and is dropped when a definition changes meanwhile', async () => {
    const { core, store } = fakeCore(2500);
    const list = new SystemList(core);
    list.of(buildSnapshot(listing(2500, 1)));
    const next = buildSnapshot(listing(2501, 2));
    const preparing = list.prepare(next);
    // The first slice is built; the next waits for the loop's turn, when a definition arrives.
    await yieldToLoop();
    store.put(definition(2501));
    await preparing;
    const systems = list.of(next);
    expect(systems).to.have.length(2501);
    const added = systems.find((s) => s.name === 'vm2501')!;
    expect([added.origin, added.state]).to.deep.equal(['defined', 'running']);
  });
});
