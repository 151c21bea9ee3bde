/**
 * `xl list -l` prints JSON unless /etc/xen/xl.conf sets `output_format="sxp"` (xl's global
 * setting; no option of the command overrides it). The driver reads only JSON: anything else is
 * a clear VirtError naming the setting, at start-up too, not a bare JSON SyntaxError.
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseListLong } from '../../../src/drivers/xl/parse/list-long.js';
import type { RunOptions, RunResult, XlExecutor } from '../../../src/drivers/xl/runner.js';
import { XlDriver } from '../../../src/drivers/xl/xl-driver.js';
import { VirtError } from '../../../src/virt/errors.js';
import { createTestBackend } from '../../support/xl-backend.js';

/** The start of what xl 4.17 prints for `list -l` with output_format="sxp" (printf_info_sexp). */
const SXP = '(domain\n\t(domid 0)\n\t(create_info)\n\t(hvm 0)\n\t(name Domain-0)\n)\n';

describe('xl driver: xl list -l in another output format than JSON', () => {
  it('parseListLong refuses it with a VirtError that names xl.conf output_format', () => {
    const e = (() => { try { parseListLong(SXP); return undefined; } catch (x) { return x; } })();
    expect(e).to.be.instanceOf(VirtError);
    expect((e as VirtError).kind).to.equal('failed');
    expect((e as VirtError).message).to.match(/xl list -l/).and.match(/output_format/).and.match(/xl\.conf/);
    expect(() => parseListLong('[{"domid": 0, "config": {"c_info": {"name": "Domain-0"}}}')).to.throw(VirtError, /not JSON/);
  });

  it('a driver starting on such a host fails with that error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xl-sxp-'));
    try {
      const { xl } = createTestBackend(dir);
      const sxp: XlExecutor = {
        get calls() { return xl.calls; },
        async run(args: string[], opts?: RunOptions): Promise<RunResult> {
          const r = await xl.run(args, opts);
          return args[0] === 'list' && args[1] === '-l' ? { ...r, stdout: SXP } : r;
        },
      };
      const driver = new XlDriver({ dataDir: dir, xlPath: 'xl-sim (in-process)', executor: sxp, refreshIntervalMs: 60_000 });
      const e = await driver.init().then(() => undefined, (x: unknown) => x);
      await driver.close();
      expect(e).to.be.instanceOf(VirtError);
      expect((e as VirtError).message).to.match(/output_format/);
    } finally {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    }
  });
});
