import { expect } from 'chai';
import { parseList, parseStateFlags } from '../../../src/drivers/xl/parse/list.js';
import { parseListLong } from '../../../src/drivers/xl/parse/list-long.js';
import { dom0MemoryFixed, infoNumber, parseInfo } from '../../../src/drivers/xl/parse/info.js';
import { buildSnapshot } from '../../../src/drivers/xl/picture.js';
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
