/** Bulk creation (benchmarks): the domains are what `xl create` of the same files makes. */
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDomainsBulk } from '../../src/sim/bulk.js';
import { xl } from './helpers.js';

const cfg = (name: string): string =>
  [`name = "${name}"`, 'type = "pv"', 'kernel = "/boot/vmlinuz"', 'memory = 128', 'vcpus = 1', "vif = [ 'bridge=xenbr0' ]", ''].join('\n');

describe('xl-sim bulk creation', () => {
  let state: string;
  beforeEach(() => {
    state = mkdtempSync(join(tmpdir(), 'xl-bulk-'));
  });
  afterEach(() => rmSync(state, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));

  it('creates many domains in one step, each as xl create would (paused ones paused)', async () => {
    expect(createDomainsBulk(state, [{ cfg: cfg('b1') }, { cfg: cfg('b2'), paused: true }, { cfg: cfg('b3') }])).to.equal(3);
    const list = await xl(['list'], { state });
    expect(list.stdout).to.match(/^b1\s+1\s+128\s+1\s+-b----/m);
    expect(list.stdout).to.match(/^b2\s+2\s+128\s+1\s+--p---/m);
    expect(list.stdout).to.match(/^b3\s+3\s+/m);
    // The same file through `xl create` gives the same configuration (but the uuid and MAC).
    const file = join(state, 'b4.cfg');
    writeFileSync(file, cfg('b4'));
    expect((await xl(['create', '-q', file], { state })).code).to.equal(0);
    const strip = (o: Record<string, any>) => {
      const c = structuredClone(o.config);
      delete c.c_info.uuid; delete c.c_info.name; delete c.nics[0].mac;
      return c;
    };
    const long = JSON.parse((await xl(['list', '-l'], { state })).stdout);
    const byName = (n: string) => long.find((d: any) => d.config.c_info.name === n);
    expect(strip(byName('b1'))).to.deep.equal(strip(byName('b4')));
  });

  it('stops at the first domain xl would refuse, with its message', () => {
    expect(() => createDomainsBulk(state, [{ cfg: cfg('d1') }, { cfg: cfg('d1') }])).to.throw(/domain 1: .*already exists/);
  });
});
