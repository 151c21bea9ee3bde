/**
 * The snapshot service through operations/ (typed as a client's requests are): its instance,
 * capabilities, CreateSnapshot / ApplySnapshot / DestroySnapshot with their return codes and
 * refusals, snapshots as VSSDs with RASDs, and the tree navigable both ways.
 */
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CimInstanceName, type CimValue, CimInstanceName as Name } from '../../../src/cim/index.js';
import { computerSystemName, jobName } from '../../../src/providers/shared/naming.js';
import { qcow2, qcow2Holds } from '../../support/qemu-img.js';
import { type World, associatorNames, cn, enumerateVia, inst, rejects, runTo, world } from '../fixture.js';

const SERVICE = Name.of('Xen_VirtualSystemSnapshotService', {
  CreationClassName: 'Xen_VirtualSystemSnapshotService', Name: 'SnapshotService', SystemCreationClassName: 'Xen_HostSystem', SystemName: 'testhost',
});
const NS = 'root/virt';

describe('snapshot service (Xen_VirtualSystemSnapshotService)', function () {
  this.timeout(30_000);
  let w: World;
  let disk: string;
  let raw: string;

  const invoke = async (method: string, params: Record<string, CimValue>) => {
    const r = await w.extrinsic(SERVICE, method, Object.entries(params).map(([name, value]) => ({ name, value })));
    return { rc: r.returnValue, out: Object.fromEntries(r.out.map((o) => [o.name, o.value])) as Record<string, CimValue> };
  };
  const create = async (system: string, type = 2): Promise<CimInstanceName> => {
    const r = await invoke('CreateSnapshot', { AffectedSystem: computerSystemName(system), SnapshotType: type });
    expect(r.rc).to.equal(0);
    return r.out.ResultingSnapshot as CimInstanceName;
  };

  beforeEach(async () => {
    w = await world();
    disk = qcow2(w.dir, 'rt', 0x41);
    raw = join(w.dir, 'rt.img');
    writeFileSync(raw, 'A'.repeat(4096));
    await w.virt.defineSystem({
      name: 'rt', type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/k' },
      disks: [{ target: disk, vdev: 'xvda', format: 'qcow2' }, { target: raw, vdev: 'xvdb' }], nics: [{ bridge: 'xenbr0' }],
    });
    await runTo(w.virt, 'rt', 'running');
  });
  afterEach(() => w.close());

  it('is hosted by the host, with capabilities: types, methods, states, disk formats, limits', async () => {
    expect((await w.get(SERVICE)).get('EnabledState')).to.equal(2);
    const hosted = await associatorNames(w, SERVICE, NS, { AssocClass: 'Xen_HostedService' });
    expect(hosted.map((n) => n.keyString('Name'))).to.deep.equal(['testhost']);
    const [caps] = await enumerateVia(w, 'Xen_VirtualSystemSnapshotServiceCapabilities');
    expect(caps!.get('SnapshotTypesSupported')).to.deep.equal([2, 3]);
    expect(caps!.get('AynchronousMethodsSupported')).to.deep.equal([2, 3, 4]);
    expect(caps!.get('SystemStatesSupported')).to.deep.equal([2, 3, 9]);
    expect(caps!.get('DiskFormatsSupported')).to.deep.equal(['raw', 'qcow2']);
    expect(caps!.get('MaxSnapshotsPerSystem')).to.equal(32);
    const linked = await associatorNames(w, SERVICE, NS, { AssocClass: 'Xen_ElementCapabilities' });
    expect(linked.map((n) => n.keyString('InstanceID'))).to.deep.equal(['SnapshotCapabilities']);
  });

  it('CreateSnapshot: a VSSD of its own with its RASDs, tied to the system and as its most current snapshot', async () => {
    const snap = await create('rt');
    const vssd = await w.get(snap);
    expect(vssd.get('ElementName')).to.match(/^rt \d{4}-/);
    expect(vssd.get('InstanceID')).to.match(/^Xen:snapshot:[0-9a-f]{12}$/);
    expect(vssd.get('VirtualSystemIdentifier')).to.equal('rt');
    expect(vssd.get('Caption')).to.equal('Snapshot');
    expect(vssd.get('Notes')).to.include('state=running');
    const rasds = await associatorNames(w, snap, NS, { AssocClass: 'Xen_VirtualSystemSettingDataComponent' });
    expect(rasds.map((n) => n.keyString('InstanceID')).sort()).to.have.length(5);
    for (const r of rasds) expect((await w.get(r)).get('InstanceID')).to.match(/^snapshot\/[0-9a-f]{12}\/(proc|mem|xvda|xvdb|[0-9a-f:]{17})$/);
    const cs = computerSystemName('rt');
    for (const assoc of ['Xen_SnapshotOfVirtualSystem', 'Xen_MostCurrentSnapshotInBranch']) {
      expect((await associatorNames(w, cs, NS, { AssocClass: assoc })).map((n) => n.keyString('InstanceID'))).to.deep.equal([snap.keyString('InstanceID')]);
      expect((await associatorNames(w, snap, NS, { AssocClass: assoc })).map((n) => n.keyString('Name'))).to.deep.equal(['rt']);
    }
    for (const [from, role] of [[snap, 'Dependent'], [cs, 'Antecedent']] as const) {
      const refs = await w.intrinsic('References', { ObjectName: from, ResultClass: cn('Xen_SnapshotOfVirtualSystem'), Role: role });
      if (refs.kind !== 'objectsWithPath') throw new Error(refs.kind);
      expect(refs.instances.map((i) => (i.get('Dependent') as CimInstanceName).keyString('InstanceID'))).to.deep.equal([snap.keyString('InstanceID')]);
    }
    // The system's own VSSDs are unchanged: a snapshot is never taken for one of them.
    expect((await associatorNames(w, cs, NS, { AssocClass: 'Xen_SettingsDefineState' })).map((n) => n.keyString('InstanceID'))).to.deep.equal(['Xen:rt']);
  });

  it('SnapshotSettings names the snapshot (its ElementName)', async () => {
    const settings = inst('Xen_VirtualSystemSettingData', { ElementName: 'before the OSPF change' });
    const r = await invoke('CreateSnapshot', { AffectedSystem: computerSystemName('rt'), SnapshotType: 3, SnapshotSettings: settings });
    expect(r.rc).to.equal(0);
    expect((await w.get(r.out.ResultingSnapshot as CimInstanceName)).get('ElementName')).to.equal('before the OSPF change');
  });

  it('a tree: parents navigable both ways, applying one moves the most current snapshot and the next one branches from it', async () => {
    const a = await create('rt');
    const b = await create('rt', 3);
    expect((await associatorNames(w, b, NS, { AssocClass: 'Xen_ParentChildSettingData', ResultRole: 'Antecedent' })).map((n) => n.keyString('InstanceID')))
      .to.deep.equal([a.keyString('InstanceID')]);
    expect((await associatorNames(w, a, NS, { AssocClass: 'Xen_ParentChildSettingData', ResultRole: 'Dependent' })).map((n) => n.keyString('InstanceID')))
      .to.deep.equal([b.keyString('InstanceID')]);
    writeFileSync(raw, 'B'.repeat(4096));
    const applied = await invoke('ApplySnapshot', { Snapshot: a });
    expect(applied.rc).to.equal(0);
    expect(readFileSync(raw, 'utf8')).to.equal('A'.repeat(4096));
    expect(qcow2Holds(disk, 0x41)).to.equal(true);
    expect((await w.get(computerSystemName('rt'))).get('EnabledState')).to.equal(2);
    const current = await associatorNames(w, computerSystemName('rt'), NS, { AssocClass: 'Xen_MostCurrentSnapshotInBranch' });
    expect(current.map((n) => n.keyString('InstanceID'))).to.deep.equal([a.keyString('InstanceID')]);
    const c = await create('rt');
    const children = await associatorNames(w, a, NS, { AssocClass: 'Xen_ParentChildSettingData', ResultRole: 'Dependent' });
    expect(children.map((n) => n.keyString('InstanceID')).sort()).to.deep.equal([b, c].map((n) => n.keyString('InstanceID')!).sort());

    expect((await invoke('DestroySnapshot', { AffectedSnapshot: a })).rc).to.equal(0);
    await rejects(w.get(a), 'CIM_ERR_NOT_FOUND');
    expect(await associatorNames(w, b, NS, { AssocClass: 'Xen_ParentChildSettingData' })).to.deep.equal([]);
    expect((await associatorNames(w, computerSystemName('rt'), NS, { AssocClass: 'Xen_SnapshotOfVirtualSystem' })).length).to.equal(2);
  });

  it('refuses with a clear error and changes nothing: an unknown SnapshotType, system or snapshot, a missing parameter, a disk format', async () => {
    await rejects(invoke('CreateSnapshot', { AffectedSystem: computerSystemName('rt'), SnapshotType: 4 }), 'CIM_ERR_INVALID_PARAMETER', /SnapshotType 4 is not supported: 2 \(Full Snapshot.*3 \(Disk Snapshot/);
    await rejects(invoke('CreateSnapshot', { AffectedSystem: computerSystemName('nope') }), 'CIM_ERR_NOT_FOUND', /no virtual system named 'nope'/);
    await rejects(invoke('CreateSnapshot', {}), 'CIM_ERR_INVALID_PARAMETER', /AffectedSystem is required/);
    await rejects(invoke('ApplySnapshot', { Snapshot: Name.of('Xen_VirtualSystemSettingData', { InstanceID: 'Xen:rt' }) }), 'CIM_ERR_INVALID_PARAMETER', /does not name a snapshot/);
    await rejects(invoke('DestroySnapshot', { AffectedSnapshot: Name.of('Xen_VirtualSystemSettingData', { InstanceID: 'Xen:snapshot:0123456789ab' }) }), 'CIM_ERR_NOT_FOUND');
    await w.virt.defineSystem({ name: 'cd', type: 'pv', memoryMiB: 64, vcpus: 1, boot: { kernel: '/k' }, disks: [{ target: join(w.dir, 'x.vhd'), vdev: 'xvda', format: 'vhd' }] });
    await rejects(invoke('CreateSnapshot', { AffectedSystem: computerSystemName('cd'), SnapshotType: 3 }), 'CIM_ERR_INVALID_PARAMETER', /is vhd: snapshots keep raw and qcow2 images only/);
    expect(await enumerateVia(w, 'Xen_SnapshotOfVirtualSystem')).to.deep.equal([]);
  });

  it('answers 4096 with a job when the snapshot takes long; the job moves to completed at 100 %', async () => {
    writeFileSync(join(w.dir, 'xl-sim', 'faults.json'), JSON.stringify({ rules: [{ command: 'save', mode: 'slow', delay_ms: 2500 }] }));
    w.deps.snapshotWaitMs = 500;
    const r = await invoke('CreateSnapshot', { AffectedSystem: computerSystemName('rt'), SnapshotType: 2 });
    expect(r.rc).to.equal(4096);
    const job = r.out.Job as CimInstanceName;
    const running = await w.get(jobName(job.keyString('InstanceID')!));
    expect(running.get('JobState')).to.equal(4);
    const pct = running.get('PercentComplete') as number;
    expect(pct).to.be.within(1, 99);
    await w.jobs.get(job.keyString('InstanceID')!)!.done;
    const done = await w.get(jobName(job.keyString('InstanceID')!));
    expect([done.get('JobState'), done.get('PercentComplete')]).to.deep.equal([7, 100]);
    // DSP1103: the job affects the snapshot it made (5, Create) besides the system.
    const affected = await associatorNames(w, jobName(job.keyString('InstanceID')!), NS, { AssocClass: 'Xen_AffectedJobElement' });
    expect(affected.map((n) => n.className).sort()).to.deep.equal(['Xen_ComputerSystem', 'Xen_VirtualSystemSettingData']);
    expect((await enumerateVia(w, 'Xen_SnapshotOfVirtualSystem')).length).to.equal(1);
  });
});
