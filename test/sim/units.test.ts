// Unit tests of the parsing and accounting modules (imported directly).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parseCfg } from '../../src/sim/config-parse.js';
import { yajl } from '../../src/sim/json-yajl.js';
import { parseDiskSpec, vdevToDevid } from '../../src/sim/disk-spec.js';
import { needMemoryKb } from '../../src/sim/overhead.js';
import { parseRate } from '../../src/sim/vif-spec.js';
import { parseMemSizeKb } from '../../src/sim/mem-size.js';
import { formatCpuMap, parseCpuList } from '../../src/sim/cpumap.js';
import { HOST_DEFAULTS } from '../../src/sim/host-state.js';
import { SAMPLES } from './helpers.js';

describe('xl-sim units', () => {
  it('JSON strings are escaped as yajl does: named escapes, other control characters as \\u00XX in upper case, "/" as is', () => {
    expect(yajl('a\x1bb\x0b/\n"\\')).to.equal('"a\\u001Bb\\u000B/\\n\\"\\\\"');
  });

  it('a config list is parsed in linear time and kept whole (300000 values: a 3.3 MB file)', () => {
    const n = 300_000;
    const src = 'name = "big"\nextra = [' + Array.from({ length: n }, (_, i) => `"a${i}"`).join(',') + ']\n';
    const t0 = Date.now();
    const r = parseCfg(src, 'big.cfg');
    expect(r.errors).to.deep.equal([]);
    expect((r.settings[1]!.value as string[]).length).to.equal(n);
    expect((r.settings[1]!.value as string[])[n - 1]).to.equal(`a${n - 1}`);
    expect(Date.now() - t0).to.be.below(5000);
  });

  it('rate parsing matches libxlu_vif (xl-network-configuration(5))', () => {
    expect(parseRate('10Mb/s@20ms')).to.deep.equal([25000, 20000]);
    expect(parseRate('100MB/s')).to.deep.equal([5000000, 50000]);
    expect(parseRate('1Gb/s@50ms')).to.deep.equal([6250000, 50000]);
    expect(parseRate('100Mb/s@10ms')).to.deep.equal([125000, 10000]);
    expect(parseRate('10Mb')).to.equal("invalid rate in `10Mb'");
    expect(parseRate('5000000000B/s')).to.equal("rate overflow in `5000000000B/s'");
    expect(parseRate('5000000KB/s')).to.deep.equal([250000000, 50000]);
  });

  it('need_memory matches the real libxl results (libxl-need-memory.txt)', () => {
    expect(needMemoryKb({ type: 'pv', target_kb: 512 * 1024, max_kb: 512 * 1024, max_vcpus: 1, hap: true }) / 1024).to.equal(516);
    expect(needMemoryKb({ type: 'pv', target_kb: 2048 * 1024, max_kb: 2048 * 1024, max_vcpus: 4, hap: true }) / 1024).to.equal(2062);
    expect(needMemoryKb({ type: 'hvm', target_kb: 4096 * 1024, max_kb: 4096 * 1024, max_vcpus: 2, hap: true }) / 1024).to.equal(4116);
    expect(needMemoryKb({ type: 'hvm', target_kb: 8192 * 1024, max_kb: 8192 * 1024, max_vcpus: 8, hap: true }) / 1024).to.equal(8234);
    expect(needMemoryKb({ type: 'pvh', target_kb: 4096 * 1024, max_kb: 16384 * 1024, max_vcpus: 4, hap: true }) / 1024).to.equal(4166);
    expect(readFileSync(SAMPLES + 'libxl-need-memory.txt', 'utf8')).to.contain('4166');
  });

  it('config parser: lists over lines, +=, comments, bison-style errors', () => {
    const p = parseCfg("a = 1 # c\nb = [ 'x',\n  \"y\", ]\nb += [ 'z' ]\n", 't.cfg');
    expect(p.errors).to.deep.equal([]);
    expect(p.settings.map((s) => [s.name, s.value])).to.deep.equal([['a', '1'], ['b', ['x', 'y']], ['b', ['x', 'y', 'z']]]);
    expect(parseCfg('name = \n', 'x.cfg').errors[0]).to.equal("x.cfg:1: config parsing error near `\n': syntax error, unexpected NEWLINE, expecting STRING or NUMBER or '['");
    expect(parseCfg('vcpus = 2 3\n', 'b.cfg').errors[0]).to.equal("b.cfg:1: config parsing error near `3': syntax error, unexpected NUMBER, expecting $end");
  });

  it('disk specs and vdev numbers (docs/xl-toolstack.md §6)', () => {
    expect(parseDiskSpec('phy:/dev/vg0/win01,hda,w', 'x')).to.deep.equal({ vdev: 'hda', format: 'raw', pdev_path: '/dev/vg0/win01', readwrite: 1 });
    expect(parseDiskSpec('file:/srv/iso/win.iso,hdc:cdrom,r', 'x')).to.deep.equal({ vdev: 'hdc', format: 'raw', pdev_path: '/srv/iso/win.iso', removable: 1, is_cdrom: 1 });
    expect(vdevToDevid('xvda')).to.equal(51712);
    expect(vdevToDevid('xvdb')).to.equal(51728);
    expect(vdevToDevid('hda')).to.equal(768);
    expect(vdevToDevid('hdc')).to.equal(5632);
    expect(vdevToDevid('xvdz')).to.equal(268441856);
  });

  it('memory sizes: no suffix = MiB', () => {
    expect(parseMemSizeKb('1024')).to.equal(1048576);
    expect(parseMemSizeKb('4g')).to.equal(4194304);
    expect(parseMemSizeKb('512m')).to.equal(524288);
    expect(parseMemSizeKb('12x')).to.equal(null);
  });

  it('cpu lists', () => {
    expect(parseCpuList('0-3,5,^1', HOST_DEFAULTS)).to.deep.equal([0, 2, 3, 5]);
    expect(parseCpuList('nodes:1', HOST_DEFAULTS)).to.deep.equal([8, 9, 10, 11, 12, 13, 14, 15]);
    expect(formatCpuMap([0, 1, 2, 3, 8], 16)).to.equal('0-3,8');
    expect(formatCpuMap(null, 16)).to.equal('all');
    expect(formatCpuMap([], 16)).to.equal('none');
  });
});
