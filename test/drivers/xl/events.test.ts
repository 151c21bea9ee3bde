/** Domain events (xenstore-watch @introduceDomain @releaseDomain on a real host) trigger a refresh. */
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainEvents } from '../../../src/drivers/xl/events.js';
import type { XlDriver } from '../../../src/drivers/xl/xl-driver.js';
import { createTestBackend, simStateDir, xlBehindTheBack } from '../../support/xl-backend.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('xl driver: domain events trigger a refresh', function () {
  this.timeout(15_000);
  let dir: string;
  let driver: XlDriver;
  let logs: string[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'xl-events-'));
    mkdirSync(simStateDir(dir), { recursive: true });
    logs = [];
  });
  afterEach(async () => {
    await driver.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  it('sees a domain stopped behind our back at the next event, long before the periodic refresh', async () => {
    // A stand-in for xenstore-watch: the two registration echoes, then an event every 200 ms.
    const watcher = `console.log('@introduceDomain');console.log('@releaseDomain');setInterval(()=>console.log('@releaseDomain'),200)`;
    driver = createTestBackend(dir, {
      refreshIntervalMs: 60_000, domainEvents: { command: process.execPath, args: ['-e', watcher] }, log: (l, m) => logs.push(`${l}: ${m}`),
    }).driver;
    await driver.init();
    await driver.define({ name: 'e', type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/boot/vmlinuz' } });
    await driver.start('e');
    expect((await driver.get('e')).state).to.equal('running');
    await xlBehindTheBack(dir, 'destroy', 'e');
    let state = (await driver.get('e')).state;
    for (let i = 0; i < 40 && state !== 'defined'; i++) {
      await sleep(50);
      state = (await driver.get('e')).state;
    }
    expect(state).to.equal('defined');
  });

  it('a missing watcher is logged once; reads go on from the periodic refresh', async () => {
    driver = createTestBackend(dir, {
      refreshIntervalMs: 60_000, domainEvents: { command: join(dir, 'no-such-watcher') }, log: (l, m) => logs.push(`${l}: ${m}`),
    }).driver;
    await driver.init();
    await sleep(300);
    expect(logs.filter((l) => l.startsWith('warn: domain events:'))).to.have.length(1);
    expect(await driver.list()).to.deep.equal([]);
  });

  it('a watcher that dies right after registering is restarted with a growing back-off, reported once', async () => {
    driver = createTestBackend(dir, { refreshIntervalMs: 60_000 }).driver;
    // Registers (the two echoes), then its connection drops: the echoes must not count as health.
    const dying = `console.log('@introduceDomain');console.log('@releaseDomain');process.exit(1)`;
    const lines: string[] = [];
    const events = new DomainEvents({ command: process.execPath, args: ['-e', dying] }, () => {}, (l, m) => lines.push(`${l}: ${m}`));
    events.start();
    await sleep(4500);
    events.stop();
    // Back-off 1 s then 2 s: started at 0, ~1 s and ~3 s (every second: 5 starts, a warning each).
    expect(events.events / 2).to.be.at.most(3);
    expect(lines.filter((l) => l.startsWith('warn: '))).to.have.length(1);
    expect(lines.filter((l) => l.startsWith('info: '))).to.deep.equal([]);
  });
});
