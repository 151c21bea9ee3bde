/**
 * Admission (ledger.ts): the host's picture is read outside the host lock, so a hung hypervisor
 * query delays only its own admission; a picture read before another change settled is read
 * again under the lock, so nothing is counted twice or missed.
 */
import { expect } from 'chai';
import { DEFAULT_CAPACITY_POLICY } from '../../src/virt/capacity.js';
import { Admission, type Picture } from '../../src/virt/ledger.js';
import { rejects } from '../support/virt-expect.js';
import { StubDriver } from './stub-driver.js';

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

describe('virt: admission reads the host outside the host lock, once for admissions asked together', () => {
  let d: StubDriver;
  /** Per call number (1-based), a gate the picture waits for before it is returned (read at call time). */
  let gates: Map<number, Promise<void>>;
  let calls: number;
  let admission: Admission;

  const picture = async (): Promise<Picture> => {
    const call = ++calls;
    const p = { host: await d.hostFacts(), systems: await d.list() };
    await gates.get(call);
    return p;
  };

  beforeEach(() => {
    d = new StubDriver();
    gates = new Map();
    calls = 0;
    admission = new Admission(picture, DEFAULT_CAPACITY_POLICY, 60_000);
  });

  /** A system asking `share` of what the host has available now (plus its overhead). */
  async function sized(name: string, share: number): Promise<void> {
    const available = admission.capacityOf(await picture()).memory.availableMiB;
    d.add({ name, memoryMiB: Math.floor(available * share) });
  }

  it('a hung read holds no lock: another reservation settles meanwhile, and the admission goes on once the read returns', async () => {
    await sized('a', 0.3);
    await sized('b', 0.3);
    const ra = await admission.admit('a', d.systems.get('a')!.config, 'start');
    const hung = deferred();
    gates.set(calls + 1, hung.promise);
    const b = admission.admit('b', d.systems.get('b')!.config, 'start');
    d.systems.get('a')!.state = 'running';
    await ra.settle(); // needs the host lock: not held by the admission waiting for the host
    expect(admission.pendingCount).to.equal(0);
    hung.resolve();
    (await b).release();
    expect(calls, 'read again under the lock: a settled since the read began').to.equal(5);
  });

  it('admissions asked together share one read of the host', async () => {
    for (let i = 0; i < 5; i++) await sized(`s${i}`, 0.1);
    const before = calls;
    const all = await Promise.all([0, 1, 2, 3, 4].map((i) => admission.admit(`s${i}`, d.systems.get(`s${i}`)!.config, 'start')));
    expect(calls - before).to.equal(1);
    expect(admission.pendingCount).to.equal(5);
    for (const r of all) r.release();
  });

  it('a picture read before another start settled is read again under the lock: no over-commit', async () => {
    await sized('a', 0.6);
    await sized('b', 0.6);
    const ra = await admission.admit('a', d.systems.get('a')!.config, 'start');
    // b reads the host while a is still starting (its picture does not show a running) ...
    const slow = deferred();
    gates.set(calls + 1, slow.promise);
    const b = admission.admit('b', d.systems.get('b')!.config, 'start');
    // ... then a runs and its reservation settles (the ledger no longer holds it).
    d.systems.get('a')!.state = 'running';
    await ra.settle();
    slow.resolve();
    await rejects(b, 'no_memory', /cannot admit 'b'/);
    expect(admission.pendingCount).to.equal(0);
  });
  it('a start that failed yet left its domain running gives its room back: a picture read before is read again, no over-commit', async () => {
    await sized('a', 0.6);
    await sized('b', 0.6);
    const ra = await admission.admit('a', d.systems.get('a')!.config, 'start');
    // b reads the host before a's domain exists ...
    const slow = deferred();
    gates.set(calls + 1, slow.promise);
    const b = admission.admit('b', d.systems.get('b')!.config, 'start');
    b.catch(() => {});
    await tick();
    // ... a's domain is created, then its start fails after all (storing the definition, say): the room is given back.
    d.systems.get('a')!.state = 'running';
    ra.release();
    slow.resolve();
    await rejects(b, 'no_memory', /cannot admit 'b'/);
  });

  it('a release during the read under the lock is seen too', async () => {
    await sized('a', 0.6);
    await sized('b', 0.6);
    const ra = await admission.admit('a', d.systems.get('a')!.config, 'start');
    const rc = await admission.admit('c', { ...d.systems.get('a')!.config, name: 'c', memoryMiB: 16, maxMemoryMiB: 16, memoryReservationMiB: 16 }, 'start');
    // b's first read misses a; c's release sends b to read again under the lock, and that read too begins before a's domain exists.
    const first = deferred();
    const second = deferred();
    gates.set(calls + 1, first.promise);
    gates.set(calls + 2, second.promise);
    const b = admission.admit('b', d.systems.get('b')!.config, 'start');
    b.catch(() => {});
    await tick();
    rc.release();
    first.resolve();
    await tick();
    d.systems.get('a')!.state = 'running';
    ra.release();
    second.resolve();
    await rejects(b, 'no_memory', /cannot admit 'b'/);
  });
});
