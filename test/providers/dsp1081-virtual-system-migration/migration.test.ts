/**
 * DSP1081 between two simulated hosts, each with its own server: a router moves over CIM-XML
 * with its stored definition, and every failure leaves it running on the source only.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { CimPeer } from '../../../src/peers.js';
import type { MigrationPeer } from '../../../src/virt/index.js';
import { join } from 'node:path';
import { first, intrinsic, text } from '../../support/cim-client.js';
import { extrinsic } from '../../support/cim-client.js';
import { ADMIN, type Hosts, READER, SERVICE_A, csRef, routerOnA, startHosts, toHost, writeFaults, xlList } from './hosts.js';

function returnValue(rsp: unknown): number {
  return Number(text(first(first(rsp as never, 'RETURNVALUE'), 'VALUE')));
}

function outParams(rsp: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const params = (rsp as Record<string, unknown>).PARAMVALUE as Record<string, unknown>[] | undefined;
  for (const p of params ?? []) {
    const arr = first(p as never, 'VALUE.ARRAY');
    const vals = arr ? ((arr as Record<string, unknown>).VALUE as unknown[] ?? []) : ((p as Record<string, unknown>).VALUE as unknown[] ?? []);
    out[String(p['@NAME'])] = vals.map((v) => text(v as never));
  }
  return out;
}

function jobIdOf(rsp: unknown): string {
  const params = (rsp as Record<string, unknown>).PARAMVALUE as Record<string, unknown>[];
  const job = params.find((p) => p['@NAME'] === 'Job')!;
  const m = /"#text":"([0-9a-f-]{36})"[^}]*\}\],"@NAME":"InstanceID"/.exec(JSON.stringify(job));
  return m![1]!;
}

async function names(h: Hosts, which: 'a' | 'b'): Promise<string[]> {
  return (await h[which].server.virt.listSystems()).map((s) => s.name);
}

/** Waits until the job ends; the PercentComplete values seen on the way. */
async function follow(h: Hosts, id: string): Promise<{ state: string; seen: number[]; error?: string }> {
  const seen: number[] = [];
  for (;;) {
    const job = h.a.server.virt.jobs.get(id)!;
    if (seen[seen.length - 1] !== job.percentComplete) seen.push(job.percentComplete);
    if (job.finished) return { state: job.state, seen, ...(job.error ? { error: job.error.message } : {}) };
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Until hostB's picture shows the arrived system (adopted on sight). */
async function arrived(h: Hosts, name: string): Promise<void> {
  for (let i = 0; i < 200 && !(await names(h, 'b')).includes(name); i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('DSP1081: migration between two simulated hosts', function () {
  this.timeout(60_000);
  let h: Hosts;
  /** Tests that start hosts of their own (other host.json figures): no default pair is started for them. */
  const ownHosts = new Set<string>();
  const itOwnHosts = (title: string, fn: () => Promise<void>) => { ownHosts.add(title); return it(title, fn); };
  beforeEach(async function () {
    if (!ownHosts.has(this.currentTest!.title)) h = await startHosts();
  });
  afterEach(async () => { await h.close(); });

  it('MigrateVirtualSystemToHost over CIM-XML: 4096 and a Xen_MigrationJob whose PercentComplete moves; the router and its definition move to hostB', async () => {
    await routerOnA(h);
    const r = await toHost(h, 'MigrateVirtualSystemToHost', 'router1', 'hostB');
    expect(r.error, r.error?.description).to.equal(undefined);
    expect(returnValue(r.rsp)).to.equal(4096);
    const id = jobIdOf(r.rsp);
    expect(JSON.stringify(r.rsp)).to.contain('Xen_MigrationJob');
    // While it runs it is a Xen_MigrationJob, not a Xen_ConcreteJob.
    const jobs = await intrinsic(h.cimA, 'EnumerateInstanceNames', { ClassName: '<CLASSNAME NAME="Xen_MigrationJob"/>' });
    expect(JSON.stringify(jobs.rsp)).to.contain(id);
    const end = await follow(h, id);
    expect(end.state, end.error).to.equal('completed');
    expect(end.seen.length).to.be.at.least(4);
    expect(end.seen[end.seen.length - 1]).to.equal(100);
    expect(await names(h, 'a')).to.not.include('router1');
    expect(await xlList(h.a)).to.not.contain('router1');
    expect(await xlList(h.b)).to.match(/^router1 /m);
    // Once the job has ended hostB lists it: a reader never finds it on neither host.
    expect(await names(h, 'b')).to.include('router1');
    const there = await h.b.server.virt.getSystem('router1');
    expect(there.state).to.equal('running');
    // The definition arrived, not just the domain: policies only the stored definition holds.
    expect(there.config).to.include({ autostart: true, priority: 7, memoryMiB: 256 });
    expect(there.origin).to.equal('defined');
  });

  itOwnHosts('Check methods say why without moving anything: unknown destination, missing switch, capacity, name taken', async () => {
    h = await startHosts({}, { total_memory_mib: 8192 });
    await routerOnA(h);
    let r = await toHost(h, 'CheckVirtualSystemIsMigratableToHost', 'router1', 'hostB');
    expect(returnValue(r.rsp)).to.equal(0);
    expect(outParams(r.rsp)).to.deep.include({ IsMigratable: ['TRUE'], Reasons: [] });
    r = await toHost(h, 'CheckVirtualSystemIsMigratableToHost', 'router1', 'nowhere');
    expect(r.error?.code).to.equal(4);
    expect(r.error?.description).to.contain("no host 'nowhere' is configured (peers: hostB)");
    // A switch hostB lacks, and a second router whose name hostB already uses.
    await h.a.server.virt.defineSystem({ name: 'router2', type: 'hvm', memoryMiB: 16_000, vcpus: 1, nics: [{ bridge: 'br-a' }, { bridge: 'xenbr0', mac: '00:16:3e:aa:bb:02' }] });
    await h.b.server.virt.defineSystem({ name: 'router2', type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/boot/vmlinuz-router' } });
    // ...and a system there with one of its MACs.
    await h.b.server.virt.defineSystem({ name: 'edge9', type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/boot/vmlinuz-router' }, nics: [{ bridge: 'xenbr1', mac: '00:16:3E:AA:BB:02' }] });
    await h.b.server.virt.destroySwitch('br-a');
    r = await toHost(h, 'CheckVirtualSystemIsMigratableToHost', 'router2', 'hostB');
    const why = outParams(r.rsp);
    expect(why.IsMigratable).to.deep.equal(['FALSE']);
    const all = why.Reasons!.join('\n');
    expect(all).to.contain("'router2' is defined: only a running or paused system can be migrated");
    expect(all).to.contain("a virtual system named 'router2' already exists on");
    expect(all).to.contain("has no virtual switch 'br-a'");
    expect(all).to.contain("virtual system 'edge9' on hostB has an interface with the MAC 00:16:3e:aa:bb:02 of 'router2'");
    expect(all).to.match(/lacks the memory or CPU for 'router2': needs \d+ MiB \(reservation \+ overhead\)/);
    // Nothing moved, nothing changed.
    expect(await names(h, 'a')).to.include.members(['router1', 'router2']);
    expect((await h.a.server.virt.getSystem('router1')).state).to.equal('running');
    // The refusal of a move names the reasons too, before any job: this host's...
    let m = await toHost(h, 'MigrateVirtualSystemToHost', 'router2', 'hostB');
    expect(m.error?.code).to.equal(1);
    expect(m.error?.description).to.contain("'router2' is defined: only a running or paused system can be migrated");
    // ...and the destination's, as it is handed the definition.
    await h.b.server.virt.destroySwitch('xenbr0');
    m = await toHost(h, 'MigrateVirtualSystemToHost', 'router1', 'hostB');
    expect(m.error?.code).to.equal(1);
    expect(m.error?.description).to.contain("'router1' cannot be migrated to hostB:").and.contain("has no virtual switch 'xenbr0'");
    expect(h.a.server.virt.jobs.list().filter((j) => j.name.startsWith('migrate'))).to.have.length(0);
    expect((await h.a.server.virt.getSystem('router1')).state).to.equal('running');
  });

  it('a ComputerSystem that does not exist is CIM_ERR_NOT_FOUND, for the moves and the checks alike', async () => {
    for (const method of ['MigrateVirtualSystemToHost', 'CheckVirtualSystemIsMigratableToHost'] as const) {
      const r = await toHost(h, method, 'nosuch', 'hostB');
      expect(r.error?.code, `${method}: ${r.error?.description}`).to.equal(6);
      expect(r.error?.description).to.contain("no virtual system named 'nosuch'");
    }
  });

  const HOST_B = '<INSTANCENAME CLASSNAME="Xen_HostSystem"><KEYBINDING NAME="CreationClassName"><KEYVALUE VALUETYPE="string">Xen_HostSystem</KEYVALUE></KEYBINDING>' +
    '<KEYBINDING NAME="Name"><KEYVALUE VALUETYPE="string">hostB</KEYVALUE></KEYBINDING></INSTANCENAME>';

  it('a reader may not check a move: the checks ask the other host with the peer\'s admin credentials (CIM_ERR_ACCESS_DENIED names admin)', async () => {
    for (const method of ['CheckVirtualSystemIsMigratableToHost', 'CheckVirtualSystemIsMigratableToSystem'] as const) {
      const dest = method.endsWith('Host')
        ? '<PARAMVALUE NAME="DestinationHost" PARAMTYPE="string"><VALUE>hostB</VALUE></PARAMVALUE>'
        : `<PARAMVALUE NAME="DestinationSystem" PARAMTYPE="reference"><VALUE.REFERENCE>${HOST_B}</VALUE.REFERENCE></PARAMVALUE>`;
      const r = await extrinsic({ ...h.cimA, user: READER.name, password: READER.password }, method, SERVICE_A,
        `<PARAMVALUE NAME="ComputerSystem" PARAMTYPE="reference"><VALUE.REFERENCE>${csRef('router1')}</VALUE.REFERENCE></PARAMVALUE>${dest}`);
      expect(r.error?.code, method).to.equal(2);
      expect(r.error?.description).to.contain('admin');
    }
  });

  it('PrepareIncomingVirtualSystem refuses a definition whose requested state is not one (INVALID_PARAMETER), keeps a valid one', async () => {
    await routerOnA(h);
    const sys = await h.a.server.virt.getSystem('router1');
    const prepare = (requested: unknown) => extrinsic({ port: h.b.port, user: ADMIN.name, password: ADMIN.password, namespace: 'root/virt' },
      'PrepareIncomingVirtualSystem', { ...SERVICE_A, keys: { ...SERVICE_A.keys, SystemName: 'hostB' } },
      `<PARAMVALUE NAME="Definition" PARAMTYPE="string"><VALUE>${JSON.stringify({ config: sys.config, requested }).replace(/&/g, '&amp;').replace(/</g, '&lt;')}</VALUE></PARAMVALUE>`);
    for (const bad of ['bogus', 7, { x: 1 }]) {
      const r = await prepare(bad);
      expect(r.error?.code, JSON.stringify(bad)).to.equal(4);
      expect(r.error?.description).to.contain('requested state');
    }
    const ok = await prepare('running');
    expect(ok.error, ok.error?.description).to.equal(undefined);
    expect(returnValue(ok.rsp)).to.equal(0);
  });

  it('a Definition of the wrong shape is CIM_ERR_INVALID_PARAMETER for the check and the prepare, never a failure of the server', async () => {
    await routerOnA(h);
    const cfg = (await h.a.server.virt.getSystem('router1')).config;
    const b = { port: h.b.port, user: ADMIN.name, password: ADMIN.password, namespace: 'root/virt' };
    const svcB = { ...SERVICE_A, keys: { ...SERVICE_A.keys, SystemName: 'hostB' } };
    for (const config of [{ ...cfg, nics: 'xenbr0' }, { ...cfg, disks: { target: '/x' } }]) {
      for (const method of ['CheckIncomingVirtualSystem', 'PrepareIncomingVirtualSystem']) {
        const r = await extrinsic(b, method, svcB,
          `<PARAMVALUE NAME="Definition" PARAMTYPE="string"><VALUE>${JSON.stringify({ config }).replace(/&/g, '&amp;').replace(/</g, '&lt;')}</VALUE></PARAMVALUE>`);
        expect(r.error?.code, `${method}: ${r.error?.description}`).to.equal(4);
        expect(r.error?.description).to.match(/(nics|disks) must be a list/);
      }
    }
  });

  itOwnHosts('a guest type the destination cannot run is refused by the check', async () => {
    h = await startHosts({}, { hvm_capable: false });
    await h.a.server.virt.defineSystem({ name: 'win', type: 'hvm', memoryMiB: 256, vcpus: 1, nics: [{ bridge: 'xenbr0' }] });
    await h.a.server.virt.requestState('win', 'running');
    const r = await toHost(h, 'CheckVirtualSystemIsMigratableToHost', 'win', 'hostB');
    expect(outParams(r.rsp).Reasons!.join()).to.contain('cannot run HVM guests (it runs PV)');
  });

  for (const fault of [
    { mode: 'fail', why: /Migration failed, resuming at sender/ },
    { mode: 'crash', why: /xl migrate/ },
    { mode: 'hang', why: /did not finish within 1500 ms/ },
  ] as const) {
    (fault.mode === 'hang' ? itOwnHosts : it)(`a ${fault.mode} of xl migrate leaves the router running on hostA only, with its definition`, async () => {
      if (fault.mode === 'hang') {
        h = await startHosts();
        // the image deadline, short for the test
        (h.a.server.virt as unknown as { driver: { core: { deadlines: { long?: number } } } }).driver.core.deadlines.long = 1500;
      }
      await routerOnA(h);
      writeFaults(h.a, { rules: [{ command: 'migrate', mode: fault.mode }] });
      const r = await toHost(h, 'MigrateVirtualSystemToHost', 'router1', 'hostB');
      expect(returnValue(r.rsp)).to.equal(4096);
      const end = await follow(h, jobIdOf(r.rsp));
      expect(end.state).to.equal('failed');
      expect(`${end.error}`).to.match(fault.why);
      const sys = await h.a.server.virt.getSystem('router1');
      expect(sys.state).to.equal('running');
      expect(sys.config.priority).to.equal(7);
      expect(await xlList(h.a)).to.contain('router1');
      expect(await xlList(h.b)).to.not.contain('router1');
      expect(await names(h, 'b')).to.not.include('router1');
      // hostB forgot the definition handed over: a later arrival would not pick it up.
      expect((await h.b.server.virt.incomingReasons({ config: sys.config }))).to.deep.equal([]);
    });
  }

  it('xl\'s final handshake broken after hostB started the router: hostB is asked, the move completes, the copy xl left suspended here is destroyed', async () => {
    await routerOnA(h);
    writeFaults(h.a, { rules: [{ command: 'migrate', mode: 'handshake', started: true }] });
    const r = await toHost(h, 'MigrateVirtualSystemToHost', 'router1', 'hostB');
    expect(returnValue(r.rsp)).to.equal(4096);
    const end = await follow(h, jobIdOf(r.rsp));
    expect(end.state, end.error).to.equal('completed');
    await arrived(h, 'router1');
    expect((await h.b.server.virt.getSystem('router1')).state).to.equal('running');
    // Its definition came with it (the policies only the stored definition holds).
    expect((await h.b.server.virt.getSystem('router1')).config.priority).to.equal(7);
    expect(await names(h, 'a')).to.not.include('router1');
    expect(await xlList(h.a)).to.not.contain('router1');
  });

  it('xl\'s final handshake broken before hostB started the router: the job fails saying hostB does not run it, the suspended copy here is left as xl left it', async () => {
    await routerOnA(h);
    writeFaults(h.a, { rules: [{ command: 'migrate', mode: 'handshake', started: false }] });
    const r = await toHost(h, 'MigrateVirtualSystemToHost', 'router1', 'hostB');
    const end = await follow(h, jobIdOf(r.rsp));
    expect(end.state).to.equal('failed');
    expect(end.error).to.contain("broke in its final handshake").and.contain('hostB does not run it: the copy here is the only one');
    expect(await xlList(h.a)).to.contain('router1--migratedaway');
    expect(await xlList(h.b)).to.not.contain('router1');
    // Nothing of it was destroyed or started here, and hostB forgot the definition handed over.
    const sys = await h.a.server.virt.getSystem('router1');
    expect(sys.state).to.equal('migrating');
    expect((await h.b.server.virt.incomingReasons({ config: sys.config }))).to.deep.equal([]);
  });

  it('xl\'s final handshake broken and hostB unable to say whether it runs the router: the job fails asking to check both hosts, and neither copy is touched', async () => {
    await routerOnA(h);
    writeFaults(h.a, { rules: [{ command: 'migrate', mode: 'handshake', started: true }] });
    h.b.server.virt.confirmIncoming = async () => { throw new Error('its picture of the host cannot be read'); };
    const r = await toHost(h, 'MigrateVirtualSystemToHost', 'router1', 'hostB');
    const end = await follow(h, jobIdOf(r.rsp));
    expect(end.state).to.equal('failed');
    expect(end.error).to.contain('whether hostB runs it could not be learned').and.contain('check both hosts before resuming one copy');
    expect(await xlList(h.a)).to.contain('router1--migratedaway');
    // hostB kept the definition handed over: the router it runs is adopted with it.
    await arrived(h, 'router1');
    expect((await h.b.server.virt.getSystem('router1')).config.priority).to.equal(7);
  });

  itOwnHosts('a job terminated mid-way (RequestStateChange 4) leaves it on hostA', async () => {
    h = await startHosts({ migration_mib_per_sec: 64 }); // 256 MiB: about 4 s of pre-copy
    await routerOnA(h);
    const r = await toHost(h, 'MigrateVirtualSystemToHost', 'router1', 'hostB');
    const id = jobIdOf(r.rsp);
    await new Promise((res) => setTimeout(res, 500));
    const job = h.a.server.virt.jobs.get(id)!;
    expect(job.percentComplete).to.be.within(1, 60);
    job.cancel('terminated on request');
    const end = await follow(h, id);
    expect(end.state).to.equal('terminated');
    expect((await h.a.server.virt.getSystem('router1')).state).to.equal('running');
    expect(await xlList(h.b)).to.not.contain('router1');
  });

  itOwnHosts('while a router is on its way, the destination refuses to define another system of its name', async () => {
    h = await startHosts({ migration_mib_per_sec: 256 }); // 256 MiB: about 1 s of pre-copy
    await routerOnA(h);
    const uuid = (await h.a.server.virt.getSystem('router1')).uuid;
    const r = await toHost(h, 'MigrateVirtualSystemToHost', 'router1', 'hostB');
    const id = jobIdOf(r.rsp);
    const taken = await h.b.server.virt.defineSystem({ name: 'router1', type: 'pv', memoryMiB: 64, vcpus: 1, boot: { kernel: '/boot/k' } })
      .then(() => undefined, (e: Error) => e);
    expect(taken?.message).to.match(/router1.*(arriving|migrat)/);
    expect((await follow(h, id)).state).to.equal('completed');
    await arrived(h, 'router1');
    const there = await h.b.server.virt.getSystem('router1');
    expect(there.uuid).to.equal(uuid);
    expect(there.state).to.equal('running');
  });

  it('a destination that kept the definition but whose answer was lost is told to forget it', async () => {
    await routerOnA(h);
    const uuid = (await h.a.server.virt.getSystem('router1')).uuid;
    const real = new CimPeer({ name: 'hostB', url: `http://127.0.0.1:${h.b.port}/cimom`, user: ADMIN.name, password: ADMIN.password, xlHost: 'hostB' });
    // hostB keeps the definition, and its answer never reaches hostA (a timeout, a connection reset).
    const lossy: MigrationPeer = {
      name: real.name, address: real.address,
      check: (d) => real.check(d), abandon: (u) => real.abandon(u),
      prepare: async (d, ttl) => { await real.prepare(d, ttl); throw new Error('hostB did not answer PrepareIncomingVirtualSystem within 30000 ms'); },
    };
    const err = await h.a.server.virt.migrateSystem('router1', lossy).then(() => undefined, (e: Error) => e);
    expect(err?.message).to.contain('did not answer PrepareIncomingVirtualSystem');
    for (let i = 0; i < 100 && existsSync(join(h.b.dataDir, 'incoming', `${uuid}.json`)); i++) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(join(h.b.dataDir, 'incoming', `${uuid}.json`))).to.equal(false);
    // hostB may have a router1 of its own again.
    await h.b.server.virt.defineSystem({ name: 'router1', type: 'pv', memoryMiB: 64, vcpus: 1, boot: { kernel: '/boot/k' } });
  });

  it('a migration an earlier run of the server may still be doing: the check says so, a second one is refused before hostB hears of it', async () => {
    await routerOnA(h);
    const uuid = (await h.a.server.virt.getSystem('router1')).uuid;
    writeFileSync(join(h.a.dataDir, 'migrations', `${uuid}.json`),
      JSON.stringify({ uuid, name: 'router1', destination: 'hostB', startedAt: Date.now(), expiresAt: Date.now() + 60_000 }));
    await h.restartA();
    const c = await toHost(h, 'CheckVirtualSystemIsMigratableToHost', 'router1', 'hostB');
    expect(outParams(c.rsp).Reasons!.join()).to.contain("a migration of 'router1' to hostB started before this server restarted may still be running");
    const m = await toHost(h, 'MigrateVirtualSystemToHost', 'router1', 'hostB');
    expect(m.error?.code).to.equal(1);
    expect(m.error?.description).to.contain('started before this server restarted');
    expect(existsSync(join(h.b.dataDir, 'incoming', `${uuid}.json`))).to.equal(false);
  });

  it('refuses a peers file readable by others', async () => {
    const { chmodSync } = await import('node:fs');
    const path = await import('node:path');
    chmodSync(path.join(h.a.dataDir, 'peers.json'), 0o644);
    let err: Error | undefined;
    try {
      await h.restartA();
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/peers\.json has mode 0644: it holds peer passwords.*chmod 600/);
    chmodSync(path.join(h.a.dataDir, 'peers.json'), 0o600);
    h.a = await (await import('../../support/app-server.js')).startAppServer({ dataDir: h.a.dataDir, hostName: 'hostA', users: [ADMIN], keepData: true });
  });

  it('MigrateVirtualSystemToSystem with the destination Xen_HostSystem, MigrationType 3 (Resume): NewComputerSystem names it; a paused router stays paused', async () => {
    await routerOnA(h);
    await routerOnA(h, 'router2');
    await h.a.server.virt.requestState('router2', 'paused');
    const hostB = '<INSTANCENAME CLASSNAME="Xen_HostSystem"><KEYBINDING NAME="CreationClassName"><KEYVALUE VALUETYPE="string">Xen_HostSystem</KEYVALUE></KEYBINDING><KEYBINDING NAME="Name"><KEYVALUE VALUETYPE="string">hostB</KEYVALUE></KEYBINDING></INSTANCENAME>';
    const msd = '&lt;INSTANCE CLASSNAME="Xen_VirtualSystemMigrationSettingData"&gt;&lt;PROPERTY NAME="MigrationType" TYPE="uint16"&gt;&lt;VALUE&gt;3&lt;/VALUE&gt;&lt;/PROPERTY&gt;&lt;/INSTANCE&gt;';
    const call = (system: string, extra = '') => extrinsic(h.cimA, 'MigrateVirtualSystemToSystem', SERVICE_A,
      `<PARAMVALUE NAME="ComputerSystem" PARAMTYPE="reference"><VALUE.REFERENCE>${csRef(system)}</VALUE.REFERENCE></PARAMVALUE>` +
      `<PARAMVALUE NAME="DestinationSystem" PARAMTYPE="reference"><VALUE.REFERENCE>${hostB}</VALUE.REFERENCE></PARAMVALUE>${extra}`);
    const r = await call('router1', `<PARAMVALUE NAME="MigrationSettingData" PARAMTYPE="string" EmbeddedObject="instance"><VALUE>${msd}</VALUE></PARAMVALUE>`);
    expect(r.error, r.error?.description).to.equal(undefined);
    expect(returnValue(r.rsp)).to.equal(4096);
    expect(JSON.stringify(r.rsp)).to.contain('"@NAME":"NewComputerSystem"').and.contain('router1');
    // The router on hostB, where it will be: a full path to hostB's server, not a name on hostA.
    const ncs = JSON.stringify(((r.rsp as Record<string, unknown>).PARAMVALUE as Record<string, unknown>[]).find((p) => p['@NAME'] === 'NewComputerSystem'));
    expect(ncs).to.contain('INSTANCEPATH').and.contain(`127.0.0.1:${h.b.port}`).and.contain('"@NAME":"virt"');
    expect((await follow(h, jobIdOf(r.rsp))).state).to.equal('completed');
    // Resume: paused for the whole copy at hostA (the simulator's figures), running again at hostB.
    const fig = JSON.parse(readFileSync(join(h.a.dataDir, 'xl-sim', 'last-migration.json'), 'utf8'));
    expect(fig).to.include({ domain: 'router1', live: false });
    expect(fig.downtime_ms).to.be.at.least(fig.precopy_ms);
    await arrived(h, 'router1');
    expect((await h.b.server.virt.getSystem('router1')).state).to.equal('running');
    const r2 = await call('router2');
    expect((await follow(h, jobIdOf(r2.rsp))).state).to.equal('completed');
    await arrived(h, 'router2');
    expect((await h.b.server.virt.getSystem('router2')).state).to.equal('paused');
    // MigrationType 4 (Restart) is not supported, and says so.
    await routerOnA(h, 'router3');
    const r3 = await call('router3', `<PARAMVALUE NAME="MigrationSettingData" PARAMTYPE="string" EmbeddedObject="instance"><VALUE>${msd.replace('&gt;3&lt;', '&gt;4&lt;')}</VALUE></PARAMVALUE>`);
    expect(r3.error?.code).to.equal(7);
    expect(r3.error?.description).to.contain('MigrationType 4 is not supported (2 Live, 3 Resume are)');
  });
});
