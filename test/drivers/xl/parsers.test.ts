import { expect } from 'chai';
import { parseList, parseStateFlags } from '../../../src/drivers/xl/parse/list.js';
import { parseListLong } from '../../../src/drivers/xl/parse/list-long.js';
import { dom0MemoryFixed, infoNumber, parseInfo } from '../../../src/drivers/xl/parse/info.js';
import { parseVcpuList } from '../../../src/drivers/xl/parse/vcpu-list.js';
import { parseSched } from '../../../src/drivers/xl/parse/sched.js';
import { parseNetworkList } from '../../../src/drivers/xl/parse/network-list.js';
import { parseBlockList, vdevName } from '../../../src/drivers/xl/parse/block-list.js';
import { parseXentop } from '../../../src/drivers/xl/parse/xentop.js';
import { buildSnapshot } from '../../../src/drivers/xl/snapshot.js';
import { stateOfDomain } from '../../../src/drivers/xl/xl-state.js';
import { sample } from './samples.js';

describe('xl parsers (real xl 4.17 samples)', () => {
  it('parses the xl list table, tabs in the header and all', () => {
    const rows = parseList(sample('list.out'));
    expect(rows.map((r) => [r.name, r.domid, r.memMiB, r.vcpus, r.state, r.cpuTimeSec])).to.deep.equal([
      ['Domain-0', 0, 4096, 2, 'r-----', 1843.3],
      ['web01', 1, 2048, 2, '-b----', 5321.4],
      ['win01', 2, 4095, 2, '--p---', 98.7],
    ]);
  });

  it('decodes every state letter including the shutdown reason column', () => {
    const rows = parseList(sample('list-states.out'));
    const byName = new Map(rows.map((r) => [r.name, r]));
    expect(byName.get('crashy')!.flags).to.include({ shutdown: true, shutdownReason: 'crash' });
    expect(byName.get('rebooting')!.flags.shutdownReason).to.equal('reboot');
    expect(byName.get('dying01')!.flags.dying).to.equal(true);
    expect(byName.get('(null)')!.flags).to.include({ running: true, shutdown: true, shutdownReason: 'poweroff' });
    expect(parseStateFlags('--p---')).to.include({ paused: true, running: false, blocked: false });
  });

  it('reads uuid and hex reason code from xl list -v', () => {
    const rows = parseList(sample('list-states-v.out'));
    const crashy = rows.find((r) => r.name === 'crashy')!;
    expect(crashy.uuid).to.equal('11111111-2222-4333-8444-555555555555');
    expect(crashy.reasonCode).to.equal(3);
    expect(rows.find((r) => r.name === 'web01')!.reasonCode).to.equal(undefined);
  });

  it('keeps names longer than the 40-character column', () => {
    const rows = parseList(sample('list-long-name.out'));
    expect(rows.map((r) => r.name)).to.include('web01-with-a-very-long-domain-name-exceeding-forty-chars');
  });

  it('parses xl list -l JSON with defaults for omitted keys', () => {
    const doms = parseListLong(sample('list-l.out'));
    expect(doms).to.have.length(3);
    const [dom0, web, win] = doms;
    expect(dom0!).to.include({ domid: 0, name: 'Domain-0', type: 'pv', maxMemKiB: 4194304, targetMemKiB: 4194303 });
    expect(dom0!.uuid).to.equal(undefined);
    expect(web!).to.include({ uuid: '6b1e6e1a-8a55-4a1f-9d0e-3f6a2c7b9e10', maxVcpus: 4, onlineVcpus: 2, weight: 256, cap: 0, onCrash: 'restart', onPoweroff: 'destroy' });
    expect(web!.disks[1]).to.deep.equal({ target: '/srv/xen/web01-data.qcow2', vdev: 'xvdb', format: 'qcow2', readOnly: false, cdrom: false });
    expect(web!.nics[0]).to.deep.include({ mac: '00:16:3e:5a:01:01', bridge: 'xenbr0', rateBytesPerInterval: 25000, rateIntervalUs: 20000 });
    expect(win!).to.include({ type: 'hvm', weight: 512, cap: 50, videoMemKiB: 8192, onCrash: 'preserve' });
    expect(win!.disks[1]).to.include({ cdrom: true, readOnly: true }); // readwrite absent = read-only
    expect(parseListLong(sample('list-l-web01.out'))[0]!.name).to.equal('web01');
  });

  it('parses xl info and spots a fixed dom0 size', () => {
    const info = parseInfo(sample('info.out'));
    expect(infoNumber(info, 'nr_cpus')).to.equal(16);
    expect(infoNumber(info, 'total_memory')).to.equal(65533);
    expect(info['xen_scheduler']).to.equal('credit2');
    expect(info['xen_changeset']).to.equal('');
    expect(dom0MemoryFixed(info)).to.equal(true);
    expect(dom0MemoryFixed(parseInfo('xen_commandline        : placeholder\n'))).to.equal(false);
  });

  it('parses vcpu-list, offline vCPUs and long names', () => {
    const rows = parseVcpuList(sample('vcpu-list.out'));
    expect(rows).to.have.length(8);
    const off = rows.find((r) => r.name === 'web01' && r.vcpu === 2)!;
    expect(off).to.include({ online: false, cpuTimeSec: 0, hardAffinity: 'all' });
    expect(off.cpu).to.equal(undefined);
    expect(rows.find((r) => r.name === 'web01' && r.vcpu === 1)!).to.include({ cpu: 8, hardAffinity: '4,6', blocked: true });
    expect(parseVcpuList(sample('vcpu-list-long-name.out'))[0]!.name).to.equal('web01-with-a-very-long-domain-name-exceeding-forty-chars');
  });

  it('parses sched-credit and sched-credit2 listings', () => {
    const c = parseSched(sample('sched-credit.out'));
    expect(c.pools[0]).to.deep.equal({ name: 'Pool-0', params: { tslice: '30ms', ratelimit: '1000us', 'migration-delay': '0us' } });
    expect(c.domains.find((d) => d.name === 'win01')).to.deep.equal({ name: 'win01', domid: 2, weight: 512, cap: 50 });
    const c2 = parseSched(sample('sched-credit2.out'));
    expect(c2.pools[0]!.params).to.deep.equal({ ratelimit: '1000us' });
    expect(c2.domains).to.have.length(3);
    expect(parseSched(sample('sched-credit2-d.out')).domains).to.deep.equal([{ name: 'win01', domid: 2, weight: 512, cap: 50 }]);
  });

  it('parses network-list and block-list', () => {
    const nets = parseNetworkList(sample('network-list-multi.out'));
    expect(nets).to.have.length(3);
    expect(nets[2]).to.include({ devid: 0, mac: '00:16:3e:5a:02:01', state: 4, txRingRef: 768, rxRingRef: 769, domid: 2 });
    const blocks = parseBlockList(sample('block-list-multi.out'));
    expect(blocks.map((b) => [b.vdevId, b.vdev, b.domid, b.backend])).to.deep.equal([
      [51712, 'xvda', 1, 'vbd'], [51728, 'xvdb', 1, 'qdisk'], [768, 'hda', 2, 'vbd'], [5632, 'hdc', 2, 'qdisk'],
    ]);
    expect(vdevName(268441856)).to.equal('xvdz');
  });

  it('parses xentop batch output, keeping the last iteration and "no limit"', () => {
    const two = parseXentop(sample('xentop-b-i2-d1.out'));
    expect(two).to.have.length(3);
    expect(two.find((r) => r.name === 'web01')!).to.include({ cpuSec: 5322, cpuPercent: 142, memKiB: 2097152, maxMemKiB: 2098176, vcpus: 4, nets: 2, netTxKiB: 9730661, vbdRsect: 2765432 });
    const nolimit = parseXentop(sample('xentop-b-i1-dom0-nolimit.out'));
    expect(nolimit[0]!.maxMemKiB).to.equal(undefined);
    expect(nolimit[0]!.vcpus).to.equal(2);
    const fnxv = parseXentop(sample('xentop-b-i1-fnxv.out'));
    expect(fnxv.map((r) => r.name)).to.deep.equal(['Domain-0', 'web01', 'win01']);
  });

  it('joins list -v and list -l into one snapshot and derives states', () => {
    const snap = buildSnapshot(sample('list-v.out'), sample('list-l.out'));
    expect(snap.domains).to.have.length(3);
    expect(snap.byUuid.get('c0ffee00-1234-4cde-8f00-0123456789ab')!.config!.name).to.equal('win01');
    expect(snap.byUuid.has('00000000-0000-0000-0000-000000000000')).to.equal(false);
    expect(stateOfDomain(snap.byName.get('win01')!)).to.equal('paused');
    expect(stateOfDomain(snap.byName.get('web01')!)).to.equal('running');
    const states = buildSnapshot(sample('list-states-v.out'), '[]');
    expect(states.domains.map((d) => stateOfDomain(d))).to.deep.equal(['running', 'running', 'paused', 'crashed', 'rebooting', 'stopping', 'shutting_down']);
  });
});
