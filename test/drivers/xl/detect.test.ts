/** Which xl the driver runs: the real one on a Xen control domain, else the bundled simulator. */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectXl } from '../../../src/drivers/xl/index.js';
import { REPO_ROOT } from './samples.js';

describe('xl backend detection', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'xl-detect-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('chooses the simulator where no Xen host is present', () => {
    const choice = detectXl({ dataDir: dir, capabilitiesFile: join(dir, 'nope'), privcmdFile: join(dir, 'nope') });
    expect(choice.simulated).to.equal(true);
    expect(choice.xlPath).to.equal(join(REPO_ROOT, 'bin', 'xl-sim'));
    expect(choice.env).to.deep.equal({ XL_SIM_STATE: join(dir, 'xl-sim') });
  });

  it('detects a Xen control domain by its capabilities file and an xl binary', () => {
    const caps = join(dir, 'capabilities');
    writeFileSync(caps, 'control_d\n');
    const fakeXl = join(dir, 'xl');
    writeFileSync(fakeXl, '');
    const choice = detectXl({ dataDir: dir, capabilitiesFile: caps, privcmdFile: join(dir, 'nope'), searchPaths: [join(dir, 'missing'), fakeXl] });
    expect(choice).to.deep.include({ xlPath: fakeXl, simulated: false, env: {} });
  });
});
