import { expect } from 'chai';
import { chmodSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XlRunner } from '../../../src/drivers/xl/runner.js';
import { VirtError } from '../../../src/virt/errors.js';

const SCRIPT = `#!/usr/bin/env node
const [cmd, ...rest] = process.argv.slice(2);
if (cmd === 'echo') { process.stdout.write(JSON.stringify({ args: rest, env: process.env.FAKE_VAR ?? null })); }
else if (cmd === 'pause') { process.stderr.write('libxl: error: libxl_domain.c:587:libxl_domain_pause: Domain 42:Pausing domain: No such process\\n'); }
else if (cmd === 'list') { process.stderr.write('libxl: error: libxl_domain.c:2335:retrieve_domain_configuration_lock_acquired: Domain 3:Fail to get domain configuration\\n'); process.stdout.write('[]\\n'); }
else if (cmd === 'create') { process.stderr.write('Parsing config from x.cfg\\nfailed to free memory for the domain\\n'); process.exit(3); }
else if (cmd === 'sleep') { setTimeout(() => {}, 30000); }
else if (cmd === 'leave-child') { require('node:child_process').spawn('sleep', ['8'], { stdio: 'inherit' }); setTimeout(() => {}, 30000); }
else if (cmd === 'link') { process.stderr.write('RTNETLINK answers: Operation not permitted\\n'); process.exit(2); }
`;

describe('xl runner', () => {
  let dir: string;
  let runner: XlRunner;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'xl-runner-'));
    const xl = join(dir, 'fake-xl');
    writeFileSync(xl, SCRIPT);
    chmodSync(xl, 0o755);
    runner = new XlRunner({ xlPath: xl, env: { FAKE_VAR: 'from-env' }, defaultTimeoutMs: 5000 });
  });
  after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));

  it('passes arguments as an array, never through a shell, with the extra environment', async () => {
    const marker = join(dir, 'pwned');
    const r = await runner.run(['echo', `a;touch ${marker}`, '$(touch x)', '']);
    expect(JSON.parse(r.stdout)).to.deep.equal({ args: [`a;touch ${marker}`, '$(touch x)', ''], env: 'from-env' });
    expect(existsSync(marker)).to.equal(false);
    expect(runner.calls).to.be.greaterThan(0);
  });

  it('turns a libxl error on exit 0 into a VirtError (§0.4)', async () => {
    const err = await runner.run(['pause', '42']).then(() => null, (e: unknown) => e);
    expect(err).to.be.instanceOf(VirtError);
    expect((err as VirtError).kind).to.equal('not_found');
    expect((err as VirtError).detail).to.contain('Pausing domain: No such process');
  });

  it('can tolerate libxl errors where xl only skipped something', async () => {
    const r = await runner.run(['list', '-l'], { tolerateLibxlErrors: true });
    expect(r.stdout).to.equal('[]\n');
  });

  it('maps create exit codes and messages to kinds', async () => {
    const err = (await runner.run(['create', 'x.cfg']).catch((e: unknown) => e)) as VirtError;
    expect(err.kind).to.equal('no_memory');
    expect(err.detail).to.contain('failed to free memory for the domain');
  });

  it('kills xl after the timeout', async () => {
    const t0 = Date.now();
    const err = (await runner.run(['sleep'], { timeoutMs: 300 }).catch((e: unknown) => e)) as VirtError;
    expect(err.kind).to.equal('timeout');
    expect(Date.now() - t0).to.be.lessThan(5000);
  });

  it('answers at its deadline even when a child of the killed xl holds its output open', async function () {
    this.timeout(15_000);
    // A script or helper xl started inherits its stdout and stderr: killing xl does not close them.
    const t0 = Date.now();
    const err = await runner.run(['leave-child'], { timeoutMs: 400 }).then(() => null, (e: unknown) => e);
    expect(VirtError.is(err, 'timeout')).to.equal(true);
    expect(Date.now() - t0).to.be.below(3000);
  });

  it('names the tool it runs in its errors: ip, xenstore or ethtool through the same runner are not "xl"', async () => {
    const ip = new XlRunner({ xlPath: join(dir, 'fake-xl'), tool: 'ip', defaultTimeoutMs: 5000 });
    const failed = (await ip.run(['link', 'add', 'name', 'br9', 'type', 'bridge']).catch((e: unknown) => e)) as VirtError;
    expect(failed).to.be.instanceOf(VirtError);
    expect(failed.message).to.equal('ip link failed: RTNETLINK answers: Operation not permitted');
    const hung = (await ip.run(['sleep'], { timeoutMs: 300 }).catch((e: unknown) => e)) as VirtError;
    expect(hung.kind).to.equal('timeout');
    expect(hung.message).to.match(/^ip sleep did not finish within 300 ms/);
    // xl's own errors keep their name.
    expect(((await runner.run(['create', 'x.cfg']).catch((e: unknown) => e)) as VirtError).message).to.match(/^xl create failed/);
  });

  it('refuses NUL bytes without running anything', async () => {
    const before = runner.calls;
    const err = (await runner.run(['echo', 'a\0b']).catch((e: unknown) => e)) as VirtError;
    expect(err.kind).to.equal('invalid_argument');
    expect(runner.calls).to.equal(before);
  });
});
