// Golden tests: xl-sim output compared byte for byte with real xl 4.17 output
// (test/data/xl-samples, a host like the sample host: Domain-0, web01 PV, win01 HVM paused).
// Only values that legitimately differ are normalised (CPU time, uptime, a pid).
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, normTimes, sample, sampleHost, SAMPLES, xl } from './helpers.js';

interface Case { name: string; args: string[]; code: number; norm?: (s: string) => string }

const id = (s: string) => s;

// Read-only cases against the sample host.
const CASES: Case[] = [
  { name: 'list', args: ['list'], code: 0, norm: normTimes },
  { name: 'list-l', args: ['list', '-l'], code: 0 },
  { name: 'list-l-web01', args: ['list', '-l', 'web01'], code: 0 },
  { name: 'list-l-win01', args: ['list', '-l', 'win01'], code: 0 },
  { name: 'list-v', args: ['list', '-v'], code: 0, norm: normTimes },
  { name: 'list-Z', args: ['list', '-Z'], code: 0, norm: normTimes },
  { name: 'list-cpupool', args: ['list', '--cpupool'], code: 0, norm: normTimes },
  { name: 'list-numa', args: ['list', '-n'], code: 0, norm: normTimes },
  { name: 'list-one', args: ['list', 'web01'], code: 0, norm: normTimes },
  { name: 'list-unknown-id', args: ['list', '77'], code: 1 },
  { name: 'list-unknown-name', args: ['list', 'nosuch'], code: 1 },
  { name: 'list-too-many-args', args: ['list', 'a', 'b'], code: 1 },
  { name: 'unknown-option', args: ['list', '--bogus'], code: 2 },
  { name: 'info', args: ['info'], code: 0 },
  { name: 'info-n', args: ['info', '-n'], code: 0 },
  { name: 'info-prefix-match', args: ['info', 'free'], code: 0 },
  { name: 'info-free_memory', args: ['info', 'free_memory'], code: 0 },
  { name: 'info-host', args: ['info', 'host'], code: 0 },
  { name: 'info-xen_version', args: ['info', 'xen_version'], code: 0 },
  { name: 'claims', args: ['claims'], code: 0, norm: normTimes },
  { name: 'sharing', args: ['sharing'], code: 0 },
  { name: 'vm-list', args: ['vm-list'], code: 0 },
  { name: 'cpupool-list', args: ['cpupool-list'], code: 0 },
  { name: 'cpupool-list-c', args: ['cpupool-list', '-c'], code: 0 },
  { name: 'sched-credit2', args: ['sched-credit2'], code: 0 },
  { name: 'sched-credit-on-credit2-host', args: ['sched-credit'], code: 0 },
  { name: 'sched-credit-d-on-credit2-host', args: ['sched-credit', '-d', 'web01'], code: 1 },
  { name: 'sched-credit-set-on-credit2-host', args: ['sched-credit', '-d', 'web01', '-w', '300'], code: 1 },
  { name: 'sched-credit2-d', args: ['sched-credit2', '-d', 'win01'], code: 0 },
  { name: 'sched-credit2-badcap', args: ['sched-credit2', '-d', 'web01', '-c', '500'], code: 1 },
  { name: 'sched-credit2-badweight', args: ['sched-credit2', '-d', 'web01', '-w', '70000'], code: 1 },
  { name: 'sched-credit2-nodom', args: ['sched-credit2', '-w', '100'], code: 1 },
  { name: 'sched-credit2-s', args: ['sched-credit2', '-s'], code: 0 },
  { name: 'sched-credit-bothopts', args: ['sched-credit', '-s', '-d', 'web01'], code: 1 },
  { name: 'sched-credit-unknown', args: ['sched-credit', '-d', 'nosuch'], code: 1 },
  { name: 'network-list', args: ['network-list', 'web01'], code: 0 },
  { name: 'network-list-multi', args: ['network-list', 'web01', 'win01'], code: 0 },
  { name: 'network-list-unknown', args: ['network-list', 'nosuch'], code: 1 },
  { name: 'network-attach-badkey', args: ['-N', 'network-attach', 'web01', 'foo=bar'], code: 1 },
  { name: 'network-attach-badrate', args: ['-N', 'network-attach', 'web01', 'rate=10Mb'], code: 1 },
  { name: 'network-attach-dryrun', args: ['-N', 'network-attach', 'web01', 'bridge=xenbr0', 'mac=00:16:3e:aa:bb:cc', 'rate=10Mb/s@20ms', 'ip=10.0.0.5', 'model=e1000'], code: 0 },
  { name: 'network-attach-dryrun-rate2', args: ['-N', 'network-attach', 'web01', 'rate=100MB/s'], code: 0 },
  { name: 'network-attach-dryrun-rate3', args: ['-N', 'network-attach', 'web01', 'rate=1Gb/s@50ms'], code: 0 },
  { name: 'network-attach-unknown-dom', args: ['network-attach', 'nosuch', 'bridge=xenbr0'], code: 1 },
  { name: 'network-detach-unknown-devid', args: ['network-detach', 'web01', '5'], code: 1 },
  { name: 'network-detach-unknown-mac', args: ['network-detach', 'web01', '00:16:3e:00:00:99'], code: 1 },
  { name: 'block-list', args: ['block-list', 'web01'], code: 0 },
  { name: 'block-list-unknown', args: ['block-list', 'nosuch'], code: 0 },
  { name: 'block-attach-bad', args: ['-N', 'block-attach', 'web01', 'vdev=xvdc'], code: 1 },
  { name: 'block-attach-dryrun', args: ['-N', 'block-attach', 'web01', 'format=raw, vdev=xvdc, access=rw, target=/dev/vg0/extra'], code: 0 },
  { name: 'block-attach-dryrun-legacy', args: ['-N', 'block-attach', 'web01', 'file:/srv/a.img,xvdd,w'], code: 0 },
  { name: 'block-attach-dryrun-qcow2', args: ['-N', 'block-attach', 'web01', '/srv/b.qcow2,qcow2,xvde,ro'], code: 0 },
  { name: 'block-attach-unknown-dom', args: ['block-attach', 'nosuch', 'format=raw,vdev=xvdc,target=/dev/null'], code: 1 },
  { name: 'block-detach-unknown', args: ['block-detach', 'web01', 'xvdz'], code: 1 },
  { name: 'destroy-dom0', args: ['destroy', '0'], code: 1 },
  { name: 'destroy-unknown-id', args: ['destroy', '42'], code: 1 },
  { name: 'destroy-unknown-name', args: ['destroy', 'nosuch'], code: 1 },
  { name: 'domid', args: ['domid', 'web01'], code: 0 },
  { name: 'domid-unknown', args: ['domid', 'nosuch'], code: 1 },
  { name: 'domname', args: ['domname', '1'], code: 0 },
  { name: 'domname-notnumber', args: ['domname', 'web01'], code: 1 },
  { name: 'domname-unknown', args: ['domname', '42'], code: 1 },
  { name: 'dryrun-unsupported', args: ['-N', 'pause', 'web01'], code: 1 },
  { name: 'mem-max-below-target', args: ['mem-max', 'web01', '512m'], code: 1 },
  { name: 'mem-set-badsize', args: ['mem-set', 'web01', '12x'], code: 1 },
  { name: 'mem-set-dom0-too-small', args: ['mem-set', '0', '64m'], code: 1 },
  { name: 'mem-set-missing-arg', args: ['mem-set', 'web01'], code: 2 },
  { name: 'mem-set-too-big', args: ['mem-set', 'web01', '4g'], code: 1 },
  { name: 'mem-set-unknown', args: ['mem-set', 'nosuch', '1g'], code: 1 },
  { name: 'migrate-l-option', args: ['migrate', '-l', 'web01', 'host2'], code: 2 },
  { name: 'migrate-noargs', args: ['migrate', 'web01'], code: 2 },
  { name: 'migrate-unknown', args: ['migrate', 'nosuch', 'host2'], code: 1 },
  { name: 'migrate-unknown-host', args: ['migrate', 'web01', 'no-such-host.invalid'], code: 1, norm: (s) => s.replace(/process \[\d+\]/, 'process [PID]') },
  { name: 'pause-noarg', args: ['pause'], code: 2 },
  { name: 'pause-unknown-id', args: ['pause', '42'], code: 0 },
  { name: 'pause-unknown-name', args: ['pause', 'nosuch'], code: 1 },
  { name: 'physinfo-not-a-command', args: ['physinfo'], code: 1 },
  { name: 'unpause-not-paused', args: ['unpause', 'web01'], code: 0 },
  { name: 'unpause-unknown-id', args: ['unpause', '42'], code: 0 },
  { name: 'restore-missing-file', args: ['restore', '/tmp/nonexistent.save'], code: 1 },
  { name: 'restore-noargs', args: ['restore'], code: 2 },
  { name: 'save-noargs', args: ['save', 'web01'], code: 2 },
  { name: 'save-unknown', args: ['save', 'nosuch', '/tmp/x.save'], code: 1 },
  { name: 'trigger-bad', args: ['trigger', 'web01', 'bogus'], code: 1 },
  { name: 'trigger-nmi', args: ['trigger', 'web01', 'nmi'], code: 0 },
  { name: 'trigger-power-pv', args: ['trigger', 'web01', 'power'], code: 0 },
  { name: 'trigger-reset-hvm', args: ['trigger', 'win01', 'reset'], code: 0 },
  { name: 'trigger-s3resume-hvm', args: ['trigger', 'win01', 's3resume'], code: 0 },
  { name: 'unknown-command', args: ['frobnicate'], code: 1 },
  { name: 'unknown-global-option', args: ['-z', 'list'], code: 1 },
  { name: 'vcpu-set-bad', args: ['vcpu-set', 'web01', 'abc'], code: 1 },
  { name: 'vcpu-set-overcommit', args: ['vcpu-set', 'web01', '32'], code: 1 },
  { name: 'vcpu-set-too-many', args: ['vcpu-set', 'web01', '8'], code: 1 },
  { name: 'vcpu-set-zero', args: ['vcpu-set', 'web01', '0'], code: 1 },
  { name: 'vcpu-pin-badcpus', args: ['vcpu-pin', 'web01', '0', '99'], code: 1 },
  { name: 'vcpu-pin-badvcpu', args: ['vcpu-pin', 'web01', 'x', '2-3'], code: 1 },
  { name: 'vcpu-pin-dryrun', args: ['-N', 'vcpu-pin', 'web01', '0', '2-3', '^3'], code: 0 },
  { name: 'vcpu-list-unknown', args: ['vcpu-list', 'nosuch'], code: 1 },
  { name: 'sysrq', args: ['sysrq', 'web01', 's'], code: 0 },
  { name: 'sysrq-bad', args: ['sysrq', 'web01', 'ab'], code: 1 },
  { name: 'shutdown-noarg', args: ['shutdown'], code: 1 },
  { name: 'shutdown-unknown', args: ['shutdown', 'nosuch'], code: 1 },
  { name: 'shutdown-unknown-id', args: ['shutdown', '42'], code: 1 },
  { name: 'shutdown-hvm-no-pv-drivers', args: ['shutdown', 'win01'], code: 1 },
  { name: 'reboot-hvm-no-pv-drivers', args: ['reboot', 'win01'], code: 1 },
  { name: 'reboot-hvm-F', args: ['reboot', '-F', 'win01'], code: 1 },
  { name: 'button-press', args: ['button-press', 'win01', 'sleep'], code: 0 },
  { name: 'config-update-missing-file', args: ['config-update', 'web01', '/nonexistent.cfg'], code: 253 },
  { name: 'config-update-noargs', args: ['config-update'], code: 1 },
  { name: 'config-update-nofile', args: ['config-update', 'web01'], code: 1 },
  { name: 'console-unknown', args: ['console', 'nosuch'], code: 1 },
  { name: 'cd-eject-unknown', args: ['cd-eject', 'nosuch', 'hdc'], code: 1 },
  { name: 'top-help', args: ['help', 'top'], code: 0 },
  // create (dry runs and failures)
  { name: 'create-dryrun-pv', args: ['create', '-n', 'web01.cfg'], code: 0 },
  { name: 'create-dryrun-hvm', args: ['-N', 'create', 'win01.cfg'], code: 0 },
  { name: 'create-dryrun-kitchen-sink', args: ['-N', 'create', 'kitchen.cfg'], code: 0 },
  { name: 'create-dryrun-overrides', args: ['create', '-n', 'web01.cfg', 'name="web02"', 'memory=1024', 'vcpus=1', 'on_crash="coredump-restart"'], code: 0 },
  { name: 'create-quiet-dryrun', args: ['-N', 'create', '-q', 'web01.cfg'], code: 0 },
  { name: 'create-bad-action', args: ['-N', 'create', 'oa.cfg'], code: 1 },
  { name: 'create-bad-disk', args: ['create', '-n', 'baddisk.cfg'], code: 1 },
  { name: 'create-bad-type', args: ['-N', 'create', 'ty.cfg'], code: 1 },
  { name: 'create-maxvcpus-lt-vcpus', args: ['-N', 'create', 'mv.cfg'], code: 1 },
  { name: 'create-missing-cfg', args: ['create', '/etc/xen/nonexistent.cfg'], code: 3 },
  { name: 'create-no-cfg', args: ['create'], code: 6 },
  { name: 'create-no-name', args: ['create', '-n', 'noname.cfg'], code: 1 },
  { name: 'create-syntax-error', args: ['create', 'bad-syntax.cfg'], code: 1 },
  { name: 'create-two-cfgs', args: ['create', 'a.cfg', 'b.cfg'], code: 2 },
];

const uuidNorm = (s: string) => s.replace(/"uuid": "[0-9a-f-]{36}"/, '"uuid": "U"');
CASES.push(
  { name: 'create-bad-memory', args: ['create', '-n', 'badmem.cfg'], code: 0, norm: uuidNorm },
  { name: 'create-bad-vif-mac', args: ['create', '-n', 'badvif.cfg'], code: 0, norm: uuidNorm },
);

describe('xl-sim golden outputs (sample host)', function () {
  this.timeout(60_000);
  let st: string;
  before(async () => { st = await sampleHost(); });
  after(() => cleanupTempDirs());

  for (const c of CASES) {
    it(`${c.name}: xl ${c.args.join(' ')}`, async () => {
      const r = await xl(c.args, { state: st });
      const n = c.norm ?? id;
      const outF = join(SAMPLES, `${c.name}.out`);
      const errF = join(SAMPLES, `${c.name}.err`);
      expect(n(r.stdout), 'stdout').to.equal(existsSync(outF) ? n(sample(`${c.name}.out`)) : '');
      expect(n(r.stderr), 'stderr').to.equal(existsSync(errF) ? n(sample(`${c.name}.err`)) : '');
      expect(r.code, 'exit status').to.equal(c.code);
    });
  }

  it('create-duplicate-name: the failed attempt consumes a domid (5 after two earlier failures)', async () => {
    // Burn ids 3 and 4 like the sample host had, then the duplicate gets id 5.
    const s2 = await sampleHost();
    await xl(['create', '-q', 'dup.cfg'], { state: s2 });
    await xl(['create', '-q', 'dup.cfg'], { state: s2 });
    const r = await xl(['create', 'dup.cfg'], { state: s2 });
    expect(r.code).to.equal(3);
    expect(r.stderr).to.equal(sample('create-duplicate-name.err'));
  });

  it('vcpu-list after the sample pinning', async () => {
    const s2 = await sampleHost();
    await xl(['vcpu-pin', 'web01', '0', '2-3'], { state: s2 });
    await xl(['vcpu-pin', 'web01', '1', '4,6'], { state: s2 });
    await xl(['vcpu-pin', 'win01', 'all', '8-15'], { state: s2 });
    const r = await xl(['vcpu-list'], { state: s2 });
    expect(r.code).to.equal(0);
    // pCPU placement and times are synthetic: compare everything else.
    const strip = (s: string) => s.split('\n').map((l) => l.replace(/^(.{39})(.{6})(.{6})(.{15})/, '$1$2      $4')).map((l) => normTimes(l)).join('\n');
    expect(strip(r.stdout)).to.equal(strip(sample('vcpu-list.out')));
  });

  it('xentop -b -i 1: layout, states, memory and device counts', async () => {
    const r = await xl(['xentop', '-b', '-i', '1'], { state: st });
    expect(r.code).to.equal(0);
    const want = sample('xentop-b-i1.out').split('\n');
    const got = r.stdout.split('\n');
    expect(got[0]).to.equal(want[0]);
    expect(got.length).to.equal(want.length);
    for (let i = 1; i < want.length - 1; i++) {
      const g = got[i]!.trim().split(/\s+/);
      const w = want[i]!.trim().split(/\s+/);
      // NAME STATE _ CPU% MEM MEM% MAXMEM MAXMEM% VCPUS NETS _ _ VBDS ... SSID
      for (const k of [0, 1, 3, 4, 5, 6, 7, 8, 9, 12, 18]) expect(g[k], `line ${i} col ${k}`).to.equal(w[k]);
    }
  });

  it('uptime: header and row layout', async () => {
    const r = await xl(['uptime'], { state: st });
    const lines = r.stdout.split('\n');
    expect(r.code, r.stderr).to.equal(0);
    expect(lines[0]).to.equal(sample('uptime.out').split('\n')[0]);
    // "%-33s %4d %s" with " H:MM:SS" for less than a day.
    expect(lines[1]).to.match(/^Domain-0 {29}0 [ \d]\d:\d\d:\d\d$/);
    expect(lines[2]).to.match(/^web01 {32}1 [ \d]\d:\d\d:\d\d$/);
  });

  it('help texts: xl help, xl alone (exit 1), xl help nosuch', async () => {
    let r = await xl(['help'], { state: st });
    expect(r.stdout).to.equal(sample('xl-help.txt'));
    expect(r.code).to.equal(0);
    r = await xl([], { state: st });
    expect(r.stdout).to.equal(sample('xl-noargs.txt'));
    expect(r.code).to.equal(1);
    r = await xl(['help', 'nosuch'], { state: st });
    expect(r.stdout).to.equal('command "nosuch" not implemented\n');
    r = await xl(['pause', '-h'], { state: st });
    expect(r.stdout).to.equal(sample('pause-noarg.out'));
    expect(r.code).to.equal(0);
  });
});
