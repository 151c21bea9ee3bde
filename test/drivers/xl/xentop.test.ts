import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseXentop } from '../../../src/drivers/xl/parse/xentop.js';
import { countersOf } from '../../../src/drivers/xl/statistics.js';
import { PROJECT_ROOT } from '../../../src/config.js';

const sample = (f: string): string => readFileSync(path.join(PROJECT_ROOT, 'test', 'data', 'xl-samples', f), 'utf8');

describe('xentop batch parsing', () => {
  it('reads the counters of every domain, with the -n lines summed per domain', () => {
    const rows = parseXentop(sample('xentop-b-i1-fnxv.out'));
    const web = rows.find((r) => r.name === 'web01')!;
    expect(web.vbdRd).to.equal(345678);
    expect(web.vif).to.deep.equal({ rxBytes: 1234567890 + 34567890, rxPackets: 2345678 + 45678, txBytes: 9876543210 + 87654321, txPackets: 7654321 + 98765 });
    const c = countersOf(web);
    // the guest transmits what the control domain's vif receives
    expect(c.netTxBytes).to.equal(1234567890 + 34567890);
    expect(c.netRxPackets).to.equal(7654321 + 98765);
    expect(c.diskReadBytes).to.equal(2765432 * 512);
  });

  it('keeps a domain whose name begins like an extra line (Net<digits>, VBD)', () => {
    // With -f a name is printed whole from the line's start once it is 10 characters or more.
    const text = sample('xentop-b-i1-fnxv.out').replace(/^     web01 /m, 'Net2024001 ').replace(/^     win01 /m, 'VBD-backup ');
    const rows = parseXentop(text);
    expect(rows.map((r) => r.name)).to.include.members(['Net2024001', 'VBD-backup']);
    expect(rows.find((r) => r.name === 'Net2024001')!.vif!.rxBytes).to.equal(1234567890 + 34567890);
  });

  it('keeps the last iteration and reads "no limit"', () => {
    const rows = parseXentop(sample('xentop-b-i2-d1.out'));
    expect(rows.filter((r) => r.name === 'Domain-0')).to.have.length(1);
    const dom0 = parseXentop(sample('xentop-b-i1-dom0-nolimit.out')).find((r) => r.name === 'Domain-0')!;
    expect(dom0.maxMemKiB).to.equal(undefined);
    expect(dom0.vcpus).to.be.a('number').and.not.NaN;
  });
});

describe('xl uptime parsing', () => {
  it('reads H:MM:SS, "1 day," and "N days," rows by domain name', async () => {
    const { parseUptime } = await import('../../../src/drivers/xl/parse/uptime.js');
    const up = parseUptime(sample('uptime.out'));
    expect(up.get('Domain-0')).to.equal(11 * 60 + 15);
    expect(up.get('web01')).to.equal(3 * 86400 + 5 * 3600 + 20 * 60 + 34);
    expect(up.get('win01')).to.equal(86400 + 10 * 60);
  });
});

describe('xentop beside a real xl', () => {
  it('a failing xentop is named in the error (not "xl -b")', async () => {
    const { mkdtempSync, writeFileSync, chmodSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { XlDriver } = await import('../../../src/drivers/xl/xl-driver.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'xentop-'));
    try {
      for (const tool of ['xl', 'xentop']) {
        writeFileSync(path.join(dir, tool), '#!/bin/sh\necho "Failed to retrieve statistics from libxenstat" >&2\nexit 1\n');
        chmodSync(path.join(dir, tool), 0o755);
      }
      const driver = new XlDriver({ dataDir: path.join(dir, 'data'), xlPath: path.join(dir, 'xl') });
      const err = await driver.statistics().then(() => null, (e: unknown) => e as Error);
      expect(err?.message).to.match(/^xentop /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
