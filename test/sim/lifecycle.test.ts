// Lifecycle behaviour of the simulated host: create/destroy, pause reference counting,
// shutdown/reboot with the monitor's on_* actions, rename, save/restore, memory, vCPUs,
// scheduler parameters and device hot-plug.
import { expect } from 'chai';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDomainsBulk } from '../../src/sim/bulk.js';
import { execa } from 'execa';
import { cleanupTempDirs, INPUTS, newHost, readJson, tempDir, WEB01_VIF, XL_SIM, xl } from './helpers.js';

async function listJson(st: string): Promise<any[]> {
  const r = await xl(['list', '-l'], { state: st });
  expect(r.code).to.equal(0);
  return JSON.parse(r.stdout);
}

/** The first `n` bytes of a file (a save image holds the guest's memory after them). */
function head(file: string, n: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

function row(out: string, name: string): string[] | undefined {
  const line = out.split('\n').find((l) => l.startsWith(name + ' '));
  return line?.trim().split(/\s+/);
}

describe('xl-sim lifecycle', function () {
  this.timeout(30_000);
  after(() => cleanupTempDirs());

  it('a new state dir is a fresh host with Domain-0 only', async () => {
    const st = newHost();
    const r = await xl(['list'], { state: st });
    expect(r.stdout).to.equal('Name                                        ID   Mem VCPUs\tState\tTime(s)\n' +
      r.stdout.split('\n')[1] + '\n');
    expect(row(r.stdout, 'Domain-0')!.slice(1, 5)).to.deep.equal(['0', '4096', '2', 'r-----']);
    expect(existsSync(join(st, 'state.json'))).to.equal(true);
  });

  it('host.json sizes the host when it is first created', async () => {
    const st = newHost({ total_memory_mib: 32768, nr_cpus: 8, scheduler: 'credit', dom0_memory_mib: 2048, hostname: 'xensim', xen_version: '4.17.3' });
    const r = await xl(['info'], { state: st });
    expect(r.stdout).to.contain('host                   : xensim\n');
    expect(r.stdout).to.contain('nr_cpus                : 8\n');
    expect(r.stdout).to.contain('total_memory           : 32768\n');
    expect(r.stdout).to.contain('xen_scheduler          : credit\n');
    expect(r.stdout).to.contain('xen_extra              : .3\n');
    // 32768 − 245 (Xen) − 2048 (dom0)
    expect(r.stdout).to.contain('free_memory            : 30475\n');
    const l = await xl(['list', '0'], { state: st });
    expect(row(l.stdout, 'Domain-0')![2]).to.equal('2048');
  });

  it('create, -p paused, duplicate names, domids increase monotonically', async () => {
    const st = newHost();
    expect((await xl(['create', 'web01.cfg'], { state: st })).stderr).to.equal('Parsing config from web01.cfg\n');
    const r = await xl(['create', '-p', 'win01.cfg'], { state: st });
    expect(r.code).to.equal(0);
    let l = (await xl(['list'], { state: st })).stdout;
    expect(row(l, 'web01')!.slice(1, 5)).to.deep.equal(['1', '2048', '2', '-b----']);
    expect(row(l, 'win01')!.slice(1, 5)).to.deep.equal(['2', '4095', '2', '--p---']);
    expect((await xl(['create', 'dup.cfg'], { state: st })).code).to.equal(3); // consumes id 3
    await xl(['destroy', 'web01'], { state: st });
    await xl(['create', '-q', 'web01.cfg', 'name="web02"'], { state: st });
    l = (await xl(['list'], { state: st })).stdout;
    expect(row(l, 'web02')![1]).to.equal('4');
    expect(row(l, 'web01')).to.equal(undefined);
    // free memory: 65533 − 245 − 4096 − need(web02 2062) − need(win01 4116)
    expect((await xl(['info', 'free_memory'], { state: st })).stdout).to.equal('55014\n');
  });

  it('pause is reference counted; unpausing a never-run domain makes it run', async () => {
    const st = newHost();
    await xl(['create', '-q', '-p', 'win01.cfg'], { state: st });
    await xl(['pause', 'win01'], { state: st });
    await xl(['unpause', 'win01'], { state: st });
    expect(row((await xl(['list'], { state: st })).stdout, 'win01')![4]).to.equal('--p---');
    await xl(['unpause', 'win01'], { state: st });
    expect(row((await xl(['list'], { state: st })).stdout, 'win01')![4]).to.equal('-b----');
    await xl(['pause', 'win01'], { state: st });
    expect(row((await xl(['list'], { state: st })).stdout, 'win01')![4]).to.equal('-bp---');
  });

  it('Xen counts at most 255 toolstack pauses: the next one fails with EOVERFLOW (xl still exits 0)', async () => {
    const st = newHost();
    await xl(['create', '-q', 'web01.cfg'], { state: st });
    const rs = await Promise.all(Array.from({ length: 255 }, () => xl(['pause', 'web01'], { state: st })));
    for (const r of rs) expect(r).to.deep.equal({ stdout: '', stderr: '', code: 0 });
    const r = await xl(['pause', 'web01'], { state: st });
    expect(r.stderr).to.equal('libxl: error: libxl_domain.c:587:libxl_domain_pause: Domain 1:Pausing domain: Value too large for defined data type\n');
    expect(r.code).to.equal(0);
    // Pausing itself is refused by Xen with EINVAL.
    expect((await xl(['pause', '0'], { state: st })).stderr).to.equal('libxl: error: libxl_domain.c:587:libxl_domain_pause: Pausing domain: Invalid argument\n');
  });

  it('shutdown honours on_poweroff; reboot restarts with a new domid, same uuid and live config', async () => {
    const st = newHost({ shutdown_seconds: 0 });
    await xl(['create', '-q', 'web01.cfg'], { state: st });
    await xl(['mem-set', 'web01', '1024'], { state: st });
    await xl(['vcpu-set', 'web01', '3'], { state: st });
    let r = await xl(['reboot', 'web01'], { state: st });
    expect(r.stderr).to.equal('Rebooting domain 1\n');
    const doms = await listJson(st);
    const w = doms.find((d) => d.config.c_info.name === 'web01');
    expect(w.domid).to.equal(2);
    expect(w.config.c_info.uuid).to.equal('6b1e6e1a-8a55-4a1f-9d0e-3f6a2c7b9e10');
    expect(w.config.b_info.target_memkb).to.equal(1048576);
    expect(w.config.b_info.avail_vcpus).to.deep.equal([0, 1, 2]);
    r = await xl(['shutdown', '-w', 'web01'], { state: st });
    expect(r.stderr).to.equal('Shutting down domain 2\nWaiting for 1 domains\nDomain 2 has been shut down, reason code 0\n');
    expect(row((await xl(['list'], { state: st })).stdout, 'web01')).to.equal(undefined);
  });

  it('shutdown -w returns for every domain when many go down at once (more than the host\'s event log keeps)', async () => {
    const st = newHost({ total_memory_mib: 262144, shutdown_seconds: 0.2 });
    const names = Array.from({ length: 150 }, (_, i) => `d${i}`);
    createDomainsBulk(st, names.map((n) => ({ cfg: `name = "${n}"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 64\n` })));
    const rs = await Promise.all(names.map((n) => xl(['shutdown', '-w', n], { state: st, timeout: 10_000 })));
    for (const [i, r] of rs.entries()) {
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stderr).to.match(new RegExp(`^Shutting down domain ${i + 1}\nWaiting for 1 domains\nDomain ${i + 1} has been (shut down, reason code 0|destroyed)\n$`));
    }
  });

  it('a clean shutdown takes shutdown_seconds, modelled lazily', async () => {
    const st = newHost({ shutdown_seconds: 1 });
    await xl(['create', '-q', 'kitchen.cfg'], { state: st }); // on_poweroff=preserve
    await xl(['shutdown', 'kitchen'], { state: st });
    expect(row((await xl(['list'], { state: st })).stdout, 'kitchen')![4]).to.equal('-b----');
    await new Promise((res) => setTimeout(res, 1100));
    const l = (await xl(['list', '-v'], { state: st })).stdout;
    expect(row(l, 'kitchen')![4]).to.equal('---s--');
    expect(row(l, 'kitchen')![7]).to.equal('0');
  });

  it('shutdown -ww waits for destruction; -a covers every guest', async () => {
    const st = newHost({ shutdown_seconds: 0 });
    await xl(['create', '-q', 'web01.cfg'], { state: st });
    await xl(['create', '-q', 'web01.cfg', 'name="web02"', 'uuid="11111111-2222-4333-8444-555555555555"'], { state: st });
    const r = await xl(['shutdown', '-a', '-w', '-w'], { state: st });
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal('Shutting down domain 1\nShutting down domain 2\nWaiting for 2 domains\n' +
      'Domain 1 has been shut down, reason code 0\nDomain 1 has been destroyed\n' +
      'Domain 2 has been shut down, reason code 0\nDomain 2 has been destroyed\n');
    // No guest left: xl still says it waits for none (wait_for_domain_deaths with 0).
    const none = await xl(['shutdown', '-a', '-w'], { state: st });
    expect([none.code, none.stderr]).to.deep.equal([0, 'Waiting for 0 domains\n']);
  });

  it('a paused PV guest does not acknowledge: shutdown times out with rc=-9', async () => {
    const st = newHost({ ack_timeout_seconds: 0.3 });
    await xl(['create', '-q', '-p', 'web01.cfg'], { state: st });
    const r = await xl(['shutdown', 'web01'], { state: st });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.equal('Shutting down domain 1\nlibxl: error: libxl_domain.c:854:pvcontrol_cb: guest didn\'t acknowledge control request: -9\nshutdown failed (rc=-9)\n');
  });

  it('HVM shutdown -F sends the ACPI power event and the guest powers off', async () => {
    const st = newHost({ shutdown_seconds: 0 });
    await xl(['create', '-q', 'win01.cfg'], { state: st });
    const r = await xl(['shutdown', '-F', 'win01'], { state: st });
    expect(r.code).to.equal(0);
    expect(row((await xl(['list'], { state: st })).stdout, 'win01')).to.equal(undefined);
  });

  it('rename-restart keeps the old domain renamed; preserve leaves it shut down', async () => {
    const st = newHost({ shutdown_seconds: 0 });
    await xl(['create', '-q', 'kitchen.cfg'], { state: st }); // on_reboot=rename-restart
    await xl(['reboot', 'kitchen'], { state: st });
    const l = (await xl(['list'], { state: st })).stdout;
    expect(row(l, 'kitchen')![1]).to.equal('2');
    const old = l.split('\n').find((x) => /^kitchen-\d{8}T\d{4}Z /.test(x));
    expect(old).to.match(/ ---sr- /);
  });

  it('rename, domid and domname', async () => {
    const st = newHost();
    await xl(['create', '-q', 'web01.cfg'], { state: st });
    expect((await xl(['rename', 'web01', 'web01-old'], { state: st })).code).to.equal(0);
    expect((await xl(['domid', 'web01-old'], { state: st })).stdout).to.equal('1\n');
    expect((await xl(['domname', '1'], { state: st })).stdout).to.equal('web01-old\n');
  });

  it('save destroys the domain, writes a real xl header + config; restore brings it back', async () => {
    const st = newHost({ save_mib_per_sec: 65536, restore_mib_per_sec: 65536 }); // 2 GiB in ~30 ms
    const dir = tempDir();
    const file = join(dir, 'web01.save');
    await xl(['create', '-q', 'web01.cfg', WEB01_VIF], { state: st });
    let r = await xl(['save', 'web01', file], { state: st });
    expect(r.stderr).to.equal(`Saving to ${file} new xl format (info 0x3/0x0/1679)\n`);
    const buf = head(file, 64 * 1024);
    expect(buf.subarray(0, 32).toString('latin1')).to.equal('Xen saved domain, xl format\n \0 \r');
    const cfgLen = buf.readUInt32LE(48);
    expect(buf.subarray(52, 52 + cfgLen - 1).toString()).to.equal(readFileSync(new URL('../../../test/data/xl-samples/save-file-embedded-config.json', import.meta.url), 'utf8'));
    expect(row((await xl(['list'], { state: st })).stdout, 'web01')).to.equal(undefined);
    r = await xl(['restore', '-p', file], { state: st });
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal(`Loading new save file ${file} (new xl fmt info 0x3/0x0/1679)\n Savefile contains xl domain config in JSON format\nParsing config from <saved>\n`);
    const w = row((await xl(['list'], { state: st })).stdout, 'web01')!;
    expect(w[1]).to.equal('2');
    expect(w[4]).to.equal('--p---');
    // After the header, one 16-byte record per page of the guest's 2 GiB (image-io.ts).
    expect(statSync(file).size - 52 - cfgLen).to.be.within(2048 * 256 * 16, 2048 * 256 * 16 + 256);
    // save -c keeps it running
    r = await xl(['save', '-c', 'web01', file], { state: st });
    expect(row((await xl(['list'], { state: st })).stdout, 'web01')).to.not.equal(undefined);
  });

  it('save suspends the guest first: shut down (reason suspend) while its memory is written; -c resumes it; a killed save leaves it suspended', async () => {
    const st = newHost({ save_mib_per_sec: 1024 }); // web01's 2 GiB in about two seconds
    const file = join(tempDir(), 'web01.save');
    const state = async () => row((await xl(['list'], { state: st })).stdout, 'web01')![4];
    /** Waits until the save has suspended the guest (a loaded machine starts xl late). */
    const suspended = async () => {
      for (const until = Date.now() + 20_000; (await state()) !== '---ss-';) {
        if (Date.now() > until) throw new Error(`web01 never shown suspended (last: ${await state()})`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await xl(['create', '-q', 'web01.cfg', WEB01_VIF], { state: st });
    const checkpoint = xl(['save', '-c', 'web01', file], { state: st });
    await suspended();
    expect((await checkpoint).code).to.equal(0);
    expect(await state()).to.equal('-b----');
    // xl killed while it writes: nothing resumes the guest; it stays suspended until destroyed.
    const child = execa(XL_SIM, ['save', 'web01', file], { cwd: INPUTS, env: { XL_SIM_STATE: st }, reject: false });
    await suspended();
    child.kill('SIGKILL');
    await child;
    expect(await state()).to.equal('---ss-');
    expect((await xl(['destroy', 'web01'], { state: st })).code).to.equal(0);
  });

  it('restore refuses an image that ends early (a save killed midway, a file cut short): no domain is made', async () => {
    const st = newHost({ save_mib_per_sec: 65536, restore_mib_per_sec: 65536 });
    const file = join(tempDir(), 'web01.save');
    await xl(['create', '-q', 'web01.cfg', WEB01_VIF], { state: st });
    expect((await xl(['save', 'web01', file], { state: st })).code).to.equal(0);
    const whole = readFileSync(file);
    // Killed midway: the file had grown to the guest's memory, zeros after its last records.
    const cut = Buffer.concat([whole.subarray(0, whole.length - 4096 * 16), Buffer.alloc(64 * 1024)]);
    for (const image of [cut, whole.subarray(0, whole.length - 7), whole.subarray(0, 60)]) {
      writeFileSync(file, image);
      const r = await xl(['restore', '-p', file], { state: st });
      expect(r.code).to.not.equal(0);
      expect(row((await xl(['list'], { state: st })).stdout, 'web01')).to.equal(undefined);
    }
    writeFileSync(file, whole);
    expect((await xl(['restore', '-p', file], { state: st })).code).to.equal(0);
  });

  it('save -p pauses the domain once more (xl pauses, then resumes the suspended guest), with -c too', async () => {
    const st = newHost({ save_mib_per_sec: 65536 });
    const file = join(tempDir(), 'web01.save');
    await xl(['create', '-q', 'web01.cfg', WEB01_VIF], { state: st });
    expect((await xl(['save', '-c', '-p', 'web01', file], { state: st })).code).to.equal(0);
    // A guest that has run and is paused: `-bp---` (sample list-after-pause).
    expect(row((await xl(['list'], { state: st })).stdout, 'web01')![4]).to.equal('-bp---');
    // Already paused: -p adds a pause, so two unpauses are needed before it runs again.
    expect((await xl(['save', '-p', 'web01', file], { state: st })).code).to.equal(0);
    expect((await xl(['unpause', 'web01'], { state: st })).code).to.equal(0);
    expect(row((await xl(['list'], { state: st })).stdout, 'web01')![4]).to.equal('-bp---');
    expect((await xl(['unpause', 'web01'], { state: st })).code).to.equal(0);
    expect(row((await xl(['list'], { state: st })).stdout, 'web01')![4]).to.equal('-b----');
  });

  it('mem-set / mem-max change target and static max; list and list -l follow', async () => {
    const st = newHost();
    await xl(['create', '-q', 'web01.cfg'], { state: st });
    expect((await xl(['mem-max', 'web01', '3072'], { state: st })).code).to.equal(0);
    expect((await xl(['mem-set', 'web01', '3g'], { state: st })).code).to.equal(0);
    const d = (await listJson(st)).find((x) => x.domid === 1);
    expect(d.config.b_info.max_memkb).to.equal(3145728);
    expect(d.config.b_info.target_memkb).to.equal(3145728);
    expect(row((await xl(['list'], { state: st })).stdout, 'web01')![2]).to.equal('3072');
    await xl(['mem-set', '0', '2048'], { state: st });
    const d0 = (await listJson(st)).find((x) => x.domid === 0);
    expect(d0.config.b_info.target_memkb).to.equal(2097151);
  });

  it('vcpu-set and vcpu-list', async () => {
    const st = newHost();
    await xl(['create', '-q', 'web01.cfg'], { state: st });
    await xl(['vcpu-set', 'web01', '4'], { state: st });
    let r = await xl(['vcpu-list', 'web01'], { state: st });
    expect(r.stdout.split('\n').filter((l) => / -b- /.test(l))).to.have.length(4);
    await xl(['vcpu-set', 'web01', '1'], { state: st });
    r = await xl(['vcpu-list', 'web01'], { state: st });
    expect(r.stdout.split('\n').filter((l) => / --p /.test(l))).to.have.length(3);
    expect(row((await xl(['list'], { state: st })).stdout, 'web01')![3]).to.equal('1');
  });

  it('sched-credit2 set/get and sched-credit on a credit host', async () => {
    const st = newHost();
    await xl(['create', '-q', 'web01.cfg'], { state: st });
    await xl(['sched-credit2', '-d', 'web01', '-w', '512', '-c', '100'], { state: st });
    expect((await xl(['sched-credit2', '-d', 'web01'], { state: st })).stdout).to.equal(
      'Name                                ID Weight  Cap\nweb01                                1    512  100\n');
    const d = (await listJson(st)).find((x) => x.domid === 1);
    expect(d.config.b_info.sched_params).to.deep.equal({ sched: 'credit2', weight: 512, cap: 100 });
    const st2 = newHost({ scheduler: 'credit' });
    await xl(['create', '-q', 'web01.cfg'], { state: st2 });
    expect((await xl(['sched-credit', '-d', 'web01', '-w', '512', '-c', '150'], { state: st2 })).code).to.equal(0);
    expect((await xl(['sched-credit', '-d', 'web01'], { state: st2 })).stdout).to.equal(
      'Name                                ID Weight  Cap\nweb01                                1    512  150\n');
    const r = await xl(['sched-credit', '-d', 'web01', '-w', '0'], { state: st2 });
    expect(r.stderr).to.equal('libxl: error: libxl_sched.c:238:sched_credit_domain_set: Domain 1:Cpu weight out of range, valid values are within range from 1 to 65535\nlibxl_domain_sched_params_set failed.\n');
    expect((await xl(['sched-credit'], { state: st2 })).stdout).to.match(/^Cpupool Pool-0: tslice=30ms ratelimit=1000us migration-delay=0us\n/);
    expect((await xl(['sched-credit2', '-d', 'web01'], { state: st2 })).stderr).to.equal('libxl_domain_sched_params_get returned credit not credit2.\n');
  });

  it('network-attach with rate= / network-detach; block-attach / block-detach', async () => {
    const st = newHost();
    await xl(['create', '-q', 'web01.cfg'], { state: st });
    expect((await xl(['network-attach', 'web01', 'bridge=xenbr2', 'rate=100Mb/s@10ms', 'mac=00:16:3e:11:22:33'], { state: st })).code).to.equal(0);
    let d = (await listJson(st)).find((x) => x.domid === 1);
    expect(d.config.nics[2]).to.deep.equal({ devid: 2, mac: '00:16:3e:11:22:33', bridge: 'xenbr2', nictype: 'vif', rate_bytes_per_interval: 125000, rate_interval_usecs: 10000 });
    let r = await xl(['network-list', 'web01'], { state: st });
    expect(r.stdout).to.contain('2   0  00:16:3e:11:22:33     2     4     32   772/773         /local/domain/0/backend/vif/1/2\n');
    expect((await xl(['network-detach', 'web01', '00:16:3e:11:22:33'], { state: st })).code).to.equal(0);
    expect((await xl(['network-detach', 'web01', '0'], { state: st })).code).to.equal(0);
    d = (await listJson(st)).find((x) => x.domid === 1);
    expect(d.config.nics.map((n: any) => n.devid)).to.deep.equal([1]);
    expect((await xl(['block-attach', 'web01', 'format=raw, vdev=xvdc, access=rw, target=/dev/vg0/extra'], { state: st })).code).to.equal(0);
    r = await xl(['block-list', 'web01'], { state: st });
    expect(r.stdout).to.contain('51744 0   1      4     27     12       /local/domain/0/backend/vbd/1/51744\n');
    expect((await xl(['block-attach', 'web01', 'format=raw, vdev=xvdc, access=rw, target=/dev/vg0/extra'], { state: st })).stderr).to.equal('libxl_device_disk_add failed.\n');
    expect((await xl(['block-detach', 'web01', 'xvdc'], { state: st })).code).to.equal(0);
    d = (await listJson(st)).find((x) => x.domid === 1);
    expect(d.config.disks.map((k: any) => k.vdev)).to.deep.equal(['xvda', 'xvdb']);
  });

  it('network-detach reads a device id as atoi does: "eth0" is devid 0, "1st" is devid 1', async () => {
    const st = newHost();
    await xl(['create', '-q', 'web01.cfg'], { state: st });
    expect(await xl(['network-detach', 'web01', 'eth0'], { state: st })).to.deep.equal({ stdout: '', stderr: '', code: 0 });
    let d = (await listJson(st)).find((x) => x.domid === 1);
    expect(d.config.nics.map((n: any) => n.devid)).to.deep.equal([1]);
    expect((await xl(['network-detach', 'web01', '1st'], { state: st })).code).to.equal(0);
    d = (await listJson(st)).find((x) => x.domid === 1);
    expect(d.config.nics).to.equal(undefined);
    const r = await xl(['network-detach', 'web01', 'eth0'], { state: st });
    expect(r.stderr).to.equal("libxl: error: libxl_xshelp.c:206:libxl__xs_read_mandatory: xenstore read failed: `/libxl/1/device/vif/0': No such file or directory\nUnknown device eth0.\n");
    expect(r.code).to.equal(1);
  });

  it('check_disk_paths makes a missing disk target fail like libxl', async () => {
    const st = newHost({ check_disk_paths: true });
    const r = await xl(['create', 'new.cfg'], { state: st });
    expect(r.code).to.equal(3);
    expect(r.stderr).to.equal(readFileSync(new URL('../../../test/data/xl-samples/create-missing-disk-target.err', import.meta.url), 'utf8').replace(/Domain 6:/, 'Domain 1:').replace(/libxl\/6\//, 'libxl/1/').replace(/domid=6/, 'domid=1'));
  });

  it('a failed block-attach leaves the domain as it was, in this process as in the next', async () => {
    const st = newHost({ check_disk_paths: true });
    const cfg = join(st, 'nodisk.cfg');
    writeFileSync(cfg, 'name = "nodisk"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 64\n');
    expect((await xl(['create', '-q', cfg], { state: st })).code).to.equal(0);
    const before = await xl(['list', '-l', 'nodisk'], { state: st });
    const r = await xl(['block-attach', 'nodisk', 'format=raw,vdev=xvdc,target=/nonexistent'], { state: st });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/failed to stat: \/nonexistent: No such file or directory\nlibxl_device_disk_add failed\.\n$/);
    const after = await xl(['list', '-l', 'nodisk'], { state: st });
    expect(after.stdout).to.equal(before.stdout);
    expect(after.stdout).not.to.contain('"disks"');
  });

  it('name columns are padded in bytes, as printf("%-40s") pads a UTF-8 name', async () => {
    const st = newHost();
    expect((await xl(['create', '-q', 'web01.cfg', 'name="café"'], { state: st })).code).to.equal(0);
    const line = (await xl(['list', 'café'], { state: st })).stdout.split('\n')[1]!;
    // "café" is 5 bytes: 35 spaces make the 40 of "%-40s", then " %5d".
    expect(line.startsWith(`café${' '.repeat(35)}     1 `)).to.equal(true);
  });

  it('state writes are atomic JSON documents', async () => {
    const st = newHost();
    await xl(['create', '-q', 'web01.cfg'], { state: st });
    const s = readJson(join(st, 'state.json'));
    expect(s.domains.map((d: any) => d.name)).to.deep.equal(['Domain-0', 'web01']);
  });
});
