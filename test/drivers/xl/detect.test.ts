/** Which xl the driver runs: the real one on a Xen control domain, else the bundled simulator. */
import { expect } from 'chai';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XlDriver, detectXl } from '../../../src/drivers/xl/index.js';
import { REPO_ROOT } from './samples.js';

describe('xl backend detection', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'xl-detect-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));

  it('chooses the simulator where no Xen host is present', () => {
    const choice = detectXl({ dataDir: dir, capabilitiesFile: join(dir, 'nope'), privcmdFile: join(dir, 'nope') });
    expect(choice.simulated).to.equal(true);
    expect(choice.xlPath).to.equal(join(REPO_ROOT, 'bin', 'xl-sim'));
    expect(choice.env).to.deep.equal({ XL_SIM_STATE: join(dir, 'xl-sim'), NODE_EXTRA_CA_CERTS: '' });
  });

  it('detects a Xen control domain by its capabilities file and an xl binary', () => {
    const caps = join(dir, 'capabilities');
    writeFileSync(caps, 'control_d\n');
    const fakeXl = join(dir, 'xl');
    writeFileSync(fakeXl, '');
    const fakeIp = join(dir, 'ip');
    writeFileSync(fakeIp, '');
    const choice = detectXl({
      dataDir: dir, capabilitiesFile: caps, privcmdFile: join(dir, 'nope'), searchPaths: [join(dir, 'missing'), fakeXl], ipSearchPaths: [join(dir, 'no-ip'), fakeIp],
    });
    expect(choice).to.deep.include({ xlPath: fakeXl, simulated: false, env: {}, ipPath: fakeIp });
  });

  it('the simulator answers ip itself: no ipPath', () => {
    const choice = detectXl({ dataDir: dir, capabilitiesFile: join(dir, 'nope'), privcmdFile: join(dir, 'nope') });
    expect(choice).to.not.have.property('ipPath');
  });

  it('on a real host the driver runs iproute2 itself (argument array, no xl prefix)', async () => {
    const fakeIp = join(dir, 'ip');
    // Stands in for iproute2: prints its arguments back as one bridge name.
    writeFileSync(fakeIp, '#!/usr/bin/env node\nprocess.stdout.write(JSON.stringify([{ ifname: process.argv.slice(2).join("_"), operstate: "UP" }]) + "\\n");\n');
    chmodSync(fakeIp, 0o755);
    const driver = new XlDriver({ xlPath: join(dir, 'no-xl'), ipPath: fakeIp, dataDir: dir });
    expect(await driver.switches()).to.deep.equal([{ name: '-j_link_show_type_bridge', up: true }]);
  });
});
