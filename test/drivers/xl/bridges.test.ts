/**
 * The xl driver's view of the host's bridges (its virtual switches): `ip -j link show type bridge`
 * parsed, run through the driver's runner (xl-sim answers `ip`), kept in the driver's picture
 * (one call for many reads) and read again once the picture is dropped.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBridges } from '../../../src/drivers/xl/bridges.js';
import { VirtError } from '../../../src/virt/errors.js';
import { createTestBackend, xlBehindTheBack } from '../../support/xl-backend.js';

const IP_SAMPLES = fileURLToPath(new URL('../../../../test/data/ip-samples/', import.meta.url));

describe('xl driver: the host bridges (ip -j link show type bridge)', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'xl-bridges-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));

  it('parses the real ip output (bridges only are asked for; up from operstate)', () => {
    // The full `ip -j link show` sample holds every kind of link; each becomes a switch by name.
    const all = parseBridges(readFileSync(join(IP_SAMPLES, 'ip-j-link-show.out'), 'utf8'));
    expect(all.find((s) => s.name === 'xenbr0')).to.deep.equal({ name: 'xenbr0', up: true });
    expect(all.find((s) => s.name === 'vx0')).to.deep.equal({ name: 'vx0', up: false });
    expect(parseBridges('[]\n')).to.deep.equal([]);
    expect(() => parseBridges('RTNETLINK answers: nope')).to.throw(VirtError, /not JSON/);
  });

  it('reads them through the runner once, shares the picture, and reads again after invalidate()', async () => {
    const { driver, xl } = createTestBackend(dir, { commandTimeoutMs: 10_000 });
    const names = async () => (await driver.switches()).map((s) => s.name);
    expect(await names()).to.deep.equal(['xenbr0', 'xenbr1', 'xenbr2', 'br0', 'br1', 'br-a']);
    await Promise.all([names(), names(), names()]);
    expect(xl.log.filter((a) => a[0] === 'ip')).to.deep.equal([['ip', '-j', 'link', 'show', 'type', 'bridge']]);
    await xlBehindTheBack(dir, 'ip', 'link', 'add', 'name', 'xenbr42', 'type', 'bridge');
    await xlBehindTheBack(dir, 'ip', 'link', 'del', 'br-a');
    driver.invalidate();
    expect(await driver.switches()).to.deep.include({ name: 'xenbr42', up: false });
    expect(await names()).to.not.include('br-a');
    expect(xl.log.filter((a) => a[0] === 'ip')).to.have.length(2);
  });

  it('a failing ip is a VirtError that says what was read', async () => {
    const { driver } = createTestBackend(dir, { commandTimeoutMs: 10_000 });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'xl-sim', 'faults.json'), JSON.stringify({ rules: [{ command: 'ip', mode: 'fail', count: 1 }] }));
    const e = await driver.switches().then(() => null, (x: unknown) => x);
    expect(e).to.be.instanceOf(VirtError);
    expect((e as VirtError).message).to.match(/reading the host's bridges \(ip -j link show type bridge\) failed/);
    // Not cached: the next read asks again and succeeds.
    expect((await driver.switches()).length).to.be.greaterThan(0);
  });

  it('createSwitch adds a bridge and sets it up; deleteSwitch removes it; both refuse clearly', async () => {
    const { driver, xl } = createTestBackend(dir, { commandTimeoutMs: 10_000 });
    expect(await driver.createSwitch('vnet7')).to.deep.equal({ name: 'vnet7', up: true });
    expect(await driver.switches()).to.deep.include({ name: 'vnet7', up: true });
    expect(xl.log.filter((a) => a[0] === 'ip' && a[3] !== 'show')).to.deep.equal([
      ['ip', 'link', 'add', 'name', 'vnet7', 'type', 'bridge'], ['ip', 'link', 'set', 'dev', 'vnet7', 'up']]);
    const exists = await driver.createSwitch('xenbr0').then(() => null, (x: unknown) => x as VirtError);
    expect(exists?.kind).to.equal('conflict');
    for (const bad of ['-x', 'a b', 'x'.repeat(16), '', 'a/b']) {
      const e = await driver.createSwitch(bad).then(() => null, (x: unknown) => x as VirtError);
      expect(e?.kind, bad).to.equal('invalid_argument');
    }
    // Names netback and libxl give guests' interfaces: such a bridge would keep that guest's vif from being created.
    for (const taken of ['vif3.0', 'vif12.1-emu']) {
      const e = await driver.createSwitch(taken).then(() => null, (x: unknown) => x as VirtError);
      expect(e?.kind, taken).to.equal('invalid_argument');
      expect(e?.message).to.match(/guest interface/);
    }
    expect(await driver.createSwitch('vif-lan')).to.deep.equal({ name: 'vif-lan', up: true });
    await driver.deleteSwitch('vnet7');
    expect((await driver.switches()).map((s) => s.name)).to.not.include('vnet7');
    const gone = await driver.deleteSwitch('vnet7').then(() => null, (x: unknown) => x as VirtError);
    expect(gone?.kind).to.equal('not_found');
  });

  it('deleteSwitch refuses a bridge that carries the host\'s own interface (the uplink), and deletes nothing', async () => {
    const { driver, xl } = createTestBackend(dir, { commandTimeoutMs: 10_000 });
    const e = await driver.deleteSwitch('xenbr0').then(() => null, (x: unknown) => x as VirtError);
    expect(e?.kind).to.equal('invalid_state');
    expect(e?.message).to.equal("the virtual switch 'xenbr0' carries the host's own interface eth0: it is part of the host's network and is not removed");
    expect(xl.log.filter((a) => a[0] === 'ip' && a.includes('del'))).to.deep.equal([]);
    expect((await driver.switches()).map((s) => s.name)).to.include('xenbr0');
  });
});

