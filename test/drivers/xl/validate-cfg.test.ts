import { expect } from 'chai';
import { memArg, validBridge, validMac, validName, validPath, validVdev } from '../../../src/drivers/xl/validate.js';
import { diskSpec, vifItems, writeCfg } from '../../../src/drivers/xl/cfg-writer.js';
import { formatRate, parseRateSpec, rateFromXl } from '../../../src/drivers/xl/rate.js';
import { rateValue } from '../../../src/drivers/xl/xenstore.js';
import { classifyXlError, hasLibxlError, xlError } from '../../../src/drivers/xl/xl-errors.js';
import { normalizeSpec } from '../../../src/virt/spec.js';
import { VirtError } from '../../../src/virt/errors.js';
import type { VirtualSystemConfig } from '../../../src/virt/types.js';
import { sample } from './samples.js';

function refuses(fn: () => unknown): void {
  expect(fn).to.throw(VirtError).with.property('kind', 'invalid_argument');
}

describe('xl value validation', () => {
  it('refuses names that could be shell words, options, domids or migration names', () => {
    for (const bad of ['a;rm -rf /', '$(reboot)', '-p', '12345', 'web01--incoming', 'x--migratedaway', 'Domain-0', '', 'a b', 'a'.repeat(65), 'näme', '.hidden', 'a/b']) {
      refuses(() => validName(bad));
    }
    expect(validName('web-01_a.b')).to.equal('web-01_a.b');
    expect(validName('1web')).to.equal('1web');
  });

  it('checks paths, MACs, bridges, vdevs and memory units', () => {
    refuses(() => validPath('relative/x'));
    refuses(() => validPath('/srv/a,b.img'));
    refuses(() => validPath('/srv/../etc/shadow'));
    refuses(() => validPath("/srv/a'b"));
    expect(validPath('/dev/vg0/web01-disk')).to.equal('/dev/vg0/web01-disk');
    refuses(() => validMac('01:16:3e:00:00:01')); // multicast
    refuses(() => validMac('00:16:3e:00:00'));
    expect(validMac('00:16:3E:AA:BB:CC')).to.equal('00:16:3e:aa:bb:cc');
    refuses(() => validBridge('-xenbr0'));
    refuses(() => validBridge('a-very-long-bridge-name'));
    refuses(() => validVdev('xvda;ls'));
    expect(validVdev('hdc')).to.equal('hdc');
    expect(memArg(512)).to.equal('512m'); // never unit-less: xl reads bare numbers as MiB (§4.1)
    refuses(() => memArg(1.5));
  });

  it('refuses the all-zero MAC, which libxl replaces with a random one at every plug', () => {
    // libxl__device_nic_setdefault: an all-zero MAC is "none given"; the vif would get 00:16:3e:xx:xx:xx
    // while the definition kept 00:00:00:00:00:00 (detach, live rates and reads would miss it).
    refuses(() => validMac('00:00:00:00:00:00'));
    refuses(() => vifItems({ mac: '00:00:00:00:00:00', bridge: 'xenbr0' }));
    expect(validMac('00:00:00:00:00:01')).to.equal('00:00:00:00:00:01');
  });

  it('formats rates the way xl stores them (§5.3)', () => {
    // 10Mb/s@20ms → 25000 bytes per 20000 µs (network-attach-dryrun.out)
    const r = parseRateSpec('10Mb/s@20ms')!;
    expect(r).to.deep.equal({ bytesPerSecond: 1_250_000, intervalUs: 20_000 });
    expect(formatRate(r)).to.equal('1250000B/s@20000us');
    expect(rateFromXl(25000, 20000)).to.deep.equal(r);
    expect(parseRateSpec('100MB/s')).to.deep.equal({ bytesPerSecond: 100_000_000, intervalUs: 50_000 });
    expect(parseRateSpec('10Mb')).to.equal(undefined);
    const nic = JSON.parse(sample('network-attach-dryrun.out').replace(/^vif: /, ''));
    expect(r.bytesPerSecond * r.intervalUs! / 1e6).to.equal(nic.rate_bytes_per_interval);
  });

  it('writes a rate above 2^32 - 1 bytes/s with a multiplier: xl refuses a larger number ("rate overflow")', () => {
    // libxlu_vif.c reads the number before the K/M/G multiplier with strtoull and refuses it above
    // UINT32_MAX: 5000000000B/s (40 Gbit/s) fails the create; 5000000KB/s is the same rate.
    const xlNumber = (spec: string): number => Number(/^([0-9]+)/.exec(spec)![1]);
    for (const bytesPerSecond of [4_294_968_000, 5_000_000_000, 1e12]) {
      const spec = formatRate({ bytesPerSecond });
      expect(xlNumber(spec), spec).to.be.at.most(4_294_967_295);
      expect(parseRateSpec(spec)!.bytesPerSecond, spec).to.equal(bytesPerSecond);
    }
    expect(formatRate({ bytesPerSecond: 5_000_000_000 })).to.equal('5000000KB/s@50000us');
    expect(formatRate({ bytesPerSecond: 4_294_967_295 })).to.equal('4294967295B/s@50000us');
    // Not a whole number of kB/s: xl cannot be given it exactly; refused before anything changes.
    refuses(() => formatRate({ bytesPerSecond: 5_000_000_001 }));
    refuses(() => vifItems({ mac: '00:16:3e:00:00:01', bridge: 'xenbr0', rate: { bytesPerSecond: 5_000_000_001 } }));
  });

  it('gives netback at least one byte of credit per interval, in the cfg and in xenstore alike', () => {
    // 100 bit/s = 12 bytes/s: none per 50 ms, so the interval grows to hold one byte.
    expect(formatRate({ bytesPerSecond: 12 })).to.equal('12B/s@83334us');
    expect(rateValue({ bytesPerSecond: 12 })).to.equal('1,83334');
    expect(rateValue({ bytesPerSecond: 1_250_000 })).to.equal('62500,50000');
    // An interval the client gave is kept, or refused when it holds no byte.
    expect(() => rateValue({ bytesPerSecond: 12, intervalUs: 50_000 })).to.throw(/gives no credit/);
    expect(() => formatRate({ bytesPerSecond: 12, intervalUs: 50_000 })).to.throw(/gives no credit/);
  });
});

describe('xl.cfg writer', () => {
  const base = (): VirtualSystemConfig => ({
    ...normalizeSpec({
      name: 'web01', type: 'pv', memoryMiB: 2048, vcpus: 2, maxVcpus: 4, onCrash: 'rename_restart',
      boot: { kernel: '/var/lib/xen/images/web01/vmlinuz', cmdline: 'root=/dev/xvda1 console=hvc0' },
      disks: [{ target: '/dev/vg0/web01-disk', vdev: 'xvda' }, { target: '/srv/iso/x.iso', vdev: 'hdc', cdrom: true }],
    }),
    uuid: '6b1e6e1a-8a55-4a1f-9d0e-3f6a2c7b9e10',
    nics: [{ mac: '00:16:3e:5a:01:01', bridge: 'xenbr0', rate: { bytesPerSecond: 1_250_000, intervalUs: 20_000 } }],
  });

  it('writes quoted, validated values with cfg-style actions', () => {
    const text = writeCfg(base());
    expect(text).to.contain('name = "web01"\n');
    expect(text).to.contain('memory = 2048\nmaxmem = 2048\nvcpus = 2\nmaxvcpus = 4\n');
    expect(text).to.contain('on_crash = "rename-restart"');
    expect(text).to.contain("'format=raw, vdev=xvda, access=rw, target=/dev/vg0/web01-disk'");
    expect(text).to.contain("'format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/srv/iso/x.iso'");
    expect(text).to.contain("'mac=00:16:3e:5a:01:01, bridge=xenbr0, rate=1250000B/s@20000us'");
    expect(text).to.contain('cmdline = "root=/dev/xvda1 console=hvc0"');
  });

  it('refuses a PV command line the hypervisor would cut: start_info holds 1023 bytes of it', () => {
    const long = 'console=hvc0 ' + 'x'.repeat(1100);
    refuses(() => writeCfg({ ...base(), boot: { kernel: '/var/lib/xen/images/web01/vmlinuz', cmdline: long } }));
    expect(writeCfg({ ...base(), boot: { cmdline: 'y'.repeat(1023) } })).to.contain(`cmdline = "${'y'.repeat(1023)}"`);
    // PVH and HVM direct boot hand the kernel the whole line (up to Linux's 2048).
    expect(writeCfg({ ...base(), type: 'pvh', boot: { cmdline: long } })).to.contain(long);
  });

  it('refuses values that would break out of a cfg string or spec', () => {
    refuses(() => writeCfg({ ...base(), boot: { cmdline: 'x" ; disk=["/etc/shadow' } }));
    refuses(() => writeCfg({ ...base(), name: 'a;rm -rf /' }));
    refuses(() => diskSpec({ target: '/a.img,target=/etc/shadow', vdev: 'xvdb' }));
    refuses(() => vifItems({ bridge: 'xenbr0, script=/tmp/evil' }));
  });
});

describe('xl error classification (real stderr samples)', () => {
  const cases: Array<[string, string]> = [
    ['create-duplicate-name.err', 'conflict'],
    ['mem-set-too-big.err', 'invalid_argument'],
    ['vcpu-set-too-many.err', 'invalid_argument'],
    ['vcpu-set-overcommit.err', 'invalid_argument'],
    ['unpause-not-paused.err', 'invalid_state'],
    ['pause-unknown-id.err', 'not_found'],
    ['destroy-unknown-name.err', 'not_found'],
    ['destroy-unknown-id.err', 'not_found'],
    ['shutdown-guest-no-ack.err', 'timeout'],
    ['shutdown-hvm-no-pv-drivers.err', 'invalid_state'],
    ['restore-missing-file.err', 'not_found'],
    ['migrate-unknown-host.err', 'failed'],
    ['create-missing-disk-target.err', 'invalid_argument'],
    ['sched-credit-set-on-credit2-host.err', 'invalid_argument'],
    ['sched-credit2-badweight.err', 'invalid_argument'],
    ['nohyp-real-xl-list.err', 'failed'],
    ['network-detach-unknown-mac.err', 'not_found'],
    ['block-detach-unknown.err', 'not_found'],
    ['mem-set-badsize.err', 'invalid_argument'],
  ];
  for (const [file, kind] of cases) {
    it(`${file} → ${kind}`, () => {
      expect(classifyXlError(sample(file))).to.equal(kind);
    });
  }

  it('spots libxl errors on exit 0 and keeps xl text in detail', () => {
    expect(hasLibxlError(sample('unpause-not-paused.err'))).to.equal(true);
    expect(hasLibxlError('libxl: warning: something\n')).to.equal(false);
    const e = xlError(['mem-set', 'web01', '4g'], sample('mem-set-too-big.err'), 1);
    expect(e.kind).to.equal('invalid_argument');
    expect(e.message).to.contain('cannot set domid 1 dynamic max memory');
    expect(e.detail).to.contain('memory_dynamic_max must be less than or equal to memory_static_max');
  });

  it('a kernel or ramdisk xl cannot load is a bad argument, not a missing system', () => {
    // libxl_dom.c logs LOGE(ERROR, "xc_dom_kernel_file failed") (strerror appended), then the
    // clean-up of the half-built domain, which says it does not exist.
    const stderr = (what: string): string => 'Parsing config from /x/web01.cfg\n' +
      `libxl: error: libxl_dom.c:599:libxl__build_pv: ${what} failed: No such file or directory\n` +
      'libxl: error: libxl_create.c:1698:domcreate_rebuild_done: Domain 3:cannot (re-)build domain: -3\n' +
      'libxl: error: libxl_domain.c:1183:libxl__destroy_domid: Domain 3:Non-existant domain\n' +
      'libxl: error: libxl_domain.c:1137:domain_destroy_callback: Domain 3:Unable to destroy guest\n';
    for (const what of ['xc_dom_kernel_file', 'xc_dom_ramdisk_file', 'xc_dom_{kernel_file/ramdisk_file}']) {
      const e = xlError(['create', '/x/web01.cfg'], stderr(what), 3);
      expect(e.kind, what).to.equal('invalid_argument');
      expect(e.message).to.equal(`xl create failed: ${what} failed: No such file or directory`);
    }
  });

  it("says what libxl refused first, not the clean-up it logged after (a create's missing disk, a name in use)", () => {
    // libxl logs the cause, then errors of tearing the half-made domain down (xenstore reads of it).
    const disk = xlError(['create', '/x/app01.cfg'], sample('create-missing-disk-target.err'), 1);
    expect(disk.message).to.equal('xl create failed: Disk vdev=xvda failed to stat: /dev/vg0/app01: No such file or directory');
    const dup = xlError(['create', '/x/web01.cfg'], sample('create-duplicate-name.err'), 1);
    expect(dup.message).to.equal('xl create failed: Domain with name "web01" already exists.');
    // xl's own last line still comes first when it printed one.
    expect(xlError(['destroy', '42'], sample('destroy-unknown-id.err'), 1).message).to.equal('xl destroy failed: destroy failed (rc=-21)');
  });
});
