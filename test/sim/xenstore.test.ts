// The simulated dom0 xenstore tools against the real ones' bytes (test/data/xs-samples): the vif
// backend keys libxl and netback write, a live `rate` write that leaves xl's stored config
// alone, the texts and exit statuses of failures, and ethtool's speed of the uplink.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cleanupTempDirs, newHost, sampleHost, xl } from './helpers.js';

const XS = fileURLToPath(new URL('../../../test/data/xs-samples/', import.meta.url));
const xs = (name: string): string => readFileSync(XS + name, 'utf8');
const BE = '/local/domain/0/backend/vif/1/0';

describe('xl-sim xenstore (dom0 tools) and ethtool', () => {
  after(cleanupTempDirs);

  it('options as the tools\' getopt_long reads them: an unknown one is reported and ignored, long forms and prefixes work, the multi-call names the mode', async () => {
    const st = await sampleHost();
    const run = (...args: string[]) => xl(args, { state: st });
    let r = await run('xenstore-read', '-x', '/local');
    expect([r.code, r.stdout, r.stderr]).to.deep.equal([0, xs('xs-read-badopt.out'), xs('xs-read-badopt.err')]);
    // getopt is handed argv + 1 by the multi-call binary: its messages carry the mode's name.
    r = await run('xenstore', 'read', '-x', '/local');
    expect([r.code, r.stdout, r.stderr]).to.deep.equal([0, '\n', "read: invalid option -- 'x'\n"]);
    r = await run('xenstore-read', '--bogus', '/local/domain/1/name');
    expect([r.code, r.stdout, r.stderr]).to.deep.equal([0, 'web01\n', "xenstore-read: unrecognized option '--bogus'\n"]);
    r = await run('xenstore-read', '--pre', '--socket', '/local/domain/1/name');
    expect([r.code, r.stdout, r.stderr]).to.deep.equal([0, '/local/domain/1/name: web01\n', '']);
    r = await run('xenstore-read', '--raw=1', '/local/domain/1/name');
    expect([r.code, r.stdout, r.stderr]).to.deep.equal([0, 'web01\n', "xenstore-read: option '--raw' doesn't allow an argument\n"]);
    // A long option valid for another mode is that mode's usage error, as the short one is.
    r = await run('xenstore-read', '--flat', '/local');
    expect([r.code, r.stderr]).to.deep.equal([1, xs('xs-read-h.err')]);
  });

  it('reads what libxl wrote for a vif: rate, relative paths, lists; missing and invalid paths fail as the tools do', async () => {
    const st = await sampleHost();
    const run = (...args: string[]) => xl(args, { state: st });
    expect((await run('xenstore-read', `${BE}/rate`)).stdout).to.equal(xs('xs-read-rate.out'));
    expect((await run('xenstore-read', 'backend/vif/1/0/mac')).stdout).to.equal(xs('xs-read-relative.out'));
    // web01 of the sample host has two vifs (the captured store had one: xs-list-vifs.out)
    expect((await run('xenstore-list', '/local/domain/0/backend/vif/1')).stdout).to.equal(`${xs('xs-list-vifs.out')}1\n`);
    let r = await run('xenstore-read', '/local/domain/7/name');
    expect([r.code, r.stdout, r.stderr]).to.deep.equal([1, '', xs('xs-read-missing.err')]);
    r = await run('xenstore-read', '/local/domain/1/name', '/local/domain/1/nosuch', '/local/domain/1/domid');
    expect([r.code, r.stdout, r.stderr]).to.deep.equal([1, xs('xs-read-multi-one-missing.out'), xs('xs-read-multi-one-missing.err')]);
    r = await run('xenstore-read', '/local/domain/1/');
    expect([r.code, r.stderr]).to.deep.equal([1, xs('xs-read-invalid-path.err')]);
    r = await run('xenstore-read', '-h');
    expect([r.code, r.stderr]).to.deep.equal([1, xs('xs-read-h.err')]);
    r = await run('xenstore', 'frob');
    expect([r.code, r.stderr]).to.deep.equal([1, xs('xs-multicall-badmode.err')]);
    r = await run('xenstore', 'read', '-h');
    expect([r.code, r.stderr]).to.deep.equal([1, xs('xs-multicall-read-h.err')]);
    r = await run('xenstore-ls', '/local/domain/7');
    expect([r.code, r.stderr]).to.deep.equal([1, xs('xs-ls-missing.err')]);
    r = await run('xenstore-rm', '/local/domain/7/name');
    expect([r.code, r.stderr]).to.deep.equal([1, xs('xs-rm-missing-parent-missing.err')]);
    r = await run('xenstore-rm', '/');
    expect([r.code, r.stderr]).to.deep.equal([1, xs('xs-rm-root.err')]);
  });

  it('a rate write changes the live key only: xl list -l keeps the attach-time rate; the vif keeps its devid', async () => {
    const st = await sampleHost();
    const run = (...args: string[]) => xl(args, { state: st });
    const w = await run('xenstore-write', `${BE}/rate`, '125000,10000');
    expect([w.code, w.stdout, w.stderr]).to.deep.equal([0, '', '']);
    expect((await run('xenstore-read', `${BE}/rate`)).stdout).to.equal(xs('xs-read-rate-after.out'));
    expect((await run('xenstore-ls', BE)).stdout).to.equal(xs('xs-ls-backend.out'));
    const nic = JSON.parse((await run('list', '-l', 'web01')).stdout)[0].config.nics[0];
    expect([nic.devid, nic.rate_bytes_per_interval, nic.rate_interval_usecs]).to.deep.equal([0, 25000, 20000]);
    // rm: netback then runs unlimited; a missing key under an existing parent is a success
    expect((await run('xenstore-rm', `${BE}/rate`)).code).to.equal(0);
    expect((await run('xenstore-exists', `${BE}/rate`)).code).to.equal(1);
    expect((await run('xenstore-rm', `${BE}/rate`)).code).to.equal(0);
    // the live value goes with the domain: destroyed and created again, the vif has its configured rate
    await run('destroy', 'web01');
    expect((await run('xenstore-exists', '/local/domain/1')).code).to.equal(1);
  });

  it('a multi-pair write is all or nothing; ls cuts long values at width 80 and -f prints full paths', async () => {
    const st = newHost();
    const run = (...args: string[]) => xl(args, { state: st });
    const r = await run('xenstore-write', '/test/ok1', '1', '/test/bad path', '2');
    expect([r.code, r.stderr]).to.deep.equal([1, xs('xs-write-multi-one-invalid.err')]);
    expect((await run('xenstore-exists', '/test/ok1')).code).to.equal(1);
    await run('xenstore-write', '/test/x/y/z', 'hello');
    await run('xenstore-write', '/test/esc', 'a\\tb\\nc\\\\d\\x41\\101');
    await run('xenstore-write', '-R', '/test/raw', 'a\\nb');
    await run('xenstore-write', '/test/empty', '');
    await run('xenstore-write', '/test/long', 'x'.repeat(120));
    expect((await run('xenstore-ls', '/test')).stdout).to.equal(xs('xs-ls-long-value.out'));
    expect((await run('xenstore-ls', '-f', '/test')).stdout).to.equal(xs('xs-ls-f-long-value.out'));
    expect((await run('xenstore-list', '/local/domain')).stdout).to.equal('0\n');
  });

  it('ethtool shows the uplink\'s speed from host.json (default 10000Mb/s); an unknown device fails', async () => {
    const st = newHost({ uplink: 'eno1', uplink_speed_mbps: 25000 });
    const r = await xl(['ethtool', 'eno1'], { state: st });
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^Settings for eno1:\n\tSpeed: 25000Mb\/s\n/);
    const d = await xl(['ethtool', 'eth0'], { state: newHost() });
    expect(d.stdout).to.contain('\tSpeed: 10000Mb/s\n');
    const bad = await xl(['ethtool', 'eth9'], { state: st });
    expect([bad.code, bad.stderr]).to.deep.equal([1, 'netlink error: no device matches name (offset 24)\nnetlink error: No such device\n']);
  });
});
