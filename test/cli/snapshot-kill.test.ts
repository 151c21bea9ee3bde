/**
 * kill -9 of the real server while a snapshot is being taken (its `xl save -c` hangs): the next
 * start undoes the half-made snapshot — no folder, no qcow2 snapshot, no intent left — and the
 * router, paused for the capture, runs again.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VirtManager } from '../../src/virt/manager.js';
import { qcow2, qcow2Tags } from '../support/qemu-img.js';
import { CS, call, refParam } from '../support/virt-client.js';
import { serveProcess } from '../support/serve-process.js';
import { createTestDriver, xlBehindTheBack } from '../support/xl-backend.js';
import { first as firstNode, instanceName, intrinsic, propValue } from '../support/cim-client.js';


/** Process ids of the children of `pid` (the xl-sim a hung command left behind). */
async function childrenOf(pid: number): Promise<number[]> {
  const r = await execa('ps', ['-o', 'pid=', '--ppid', String(pid)], { reject: false });
  return r.stdout.split('\n').map((l) => Number(l.trim())).filter((n) => n > 0);
}

describe('cli: kill -9 of the server in the middle of a snapshot', function () {
  this.timeout(90_000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'xen-wbem-snapkill-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));

  it('the next start undoes the half-made snapshot and the router runs again', async () => {
    const data = path.join(dir, 'var');
    mkdirSync(path.join(data, 'images'), { recursive: true });
    const disk = qcow2(path.join(data, 'images'), 'router1', 0x41);
    // The router, defined and running on the simulated host the server will use.
    const driver = createTestDriver(data);
    const vm = new VirtManager(driver);
    await vm.init();
    await vm.defineSystem({ name: 'router1', type: 'pv', memoryMiB: 128, vcpus: 1, boot: { kernel: '/boot/vmlinuz' }, disks: [{ target: disk, vdev: 'xvda', format: 'qcow2' }] });
    await vm.requestState('router1', 'running');
    const uuid = (await vm.getSystem('router1')).uuid;
    await driver.close();

    const faults = path.join(data, 'xl-sim', 'faults.json');
    writeFileSync(faults, JSON.stringify({ rules: [{ command: 'save', mode: 'hang' }] }));
    const folder = path.join(data, 'snapshots', uuid);
    const first = await serveProcess(data);
    let killed = false;
    try {
    const svc = { className: 'Xen_VirtualSystemSnapshotService', keys: { CreationClassName: 'Xen_VirtualSystemSnapshotService', Name: 'SnapshotService', SystemCreationClassName: 'Xen_HostSystem', SystemName: (await vm.hostInfo()).name } };
    const r = await call({ port: first.port }, svc, 'CreateSnapshot',
      refParam('AffectedSystem', 'Xen_ComputerSystem', CS('router1').keys) + '<PARAMVALUE NAME="SnapshotType" PARAMTYPE="uint16"><VALUE>2</VALUE></PARAMVALUE>');
    expect(r.returnValue, JSON.stringify(r.error)).to.equal(4096);
    expect(JSON.parse(readFileSync(path.join(folder, 'tree.json'), 'utf8')).pending.op).to.equal('create');
    expect(readdirSync(folder).some((e) => e.endsWith('.partial'))).to.equal(true);
    // Paused for the capture, its checkpoint hanging: the moment of the kill.
    const listed = (await xlBehindTheBack(data, 'list', 'router1')).stdout;
    expect(listed).to.match(/^router1\s+\d+\s+\d+\s+\d+\s+\S\Sp/m);
    const hung = await childrenOf(first.proc.pid!);
    first.proc.kill('SIGKILL');
    killed = true;
    await first.proc;
    for (const pid of hung) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    } finally {
      if (!killed) {
        first.proc.kill('SIGKILL');
        await first.proc;
      }
    }

    unlinkSync(faults);
    const second = await serveProcess(data);
    try {
      expect(second.lines.map((e) => String(e.msg)).some((l) => l.startsWith('snapshots cut short by the last stop') && l.includes('"undone":["create of snapshot'))).to.equal(true);
      expect(readdirSync(folder)).to.deep.equal(['tree.json']);
      const tree = JSON.parse(readFileSync(path.join(folder, 'tree.json'), 'utf8'));
      expect([tree.pending, tree.snapshots]).to.deep.equal([undefined, []]);
      expect(qcow2Tags(disk)).to.deep.equal([]);
      const gi = await intrinsic({ port: second.port, namespace: 'root/virt' }, 'GetInstance', { InstanceName: instanceName('Xen_ComputerSystem', CS('router1').keys) });
      expect(propValue(firstNode(firstNode(gi.rsp, 'IRETURNVALUE'), 'INSTANCE'), 'EnabledState'), 'running again').to.equal('2');
      expect(existsSync(path.join(data, 'xen-wbem.lock'))).to.equal(true);
    } finally {
      second.proc.kill('SIGTERM');
      await second.proc;
    }
  });
});
