/**
 * How an apply's PercentComplete is shared among its steps (virt/snapshots/progress.ts): by the
 * bytes each moves, so a large memory image read back takes most of the job and a large raw disk
 * copied back takes most of it when it dominates.
 */
import { expect } from 'chai';
import { applyWeights } from '../../src/virt/snapshots/progress.js';
import type { DiskCapture, Snapshot } from '../../src/virt/snapshots/index.js';

const MiB = 1024 * 1024;
const snap = (state: Snapshot['state'], memoryMiB: number, disks: Partial<DiskCapture>[], stateFile?: string) => ({
  state, ...(stateFile ? { stateFile } : {}), config: { memoryMiB } as Snapshot['config'],
  disks: disks.map((d) => ({ vdev: 'xvda', target: '/x', format: 'raw', method: 'copy', bytes: 0, ...d }) as DiskCapture),
});

describe('snapshots: an apply\'s progress weighed by bytes', () => {
  it('a running router of 1 GiB with a small qcow2 disk: the memory image read back is most of the job', () => {
    const w = applyWeights(snap('running', 1024, [{ format: 'qcow2', method: 'internal' }], 'memory.save'));
    expect(w.stopped).to.equal(5);
    expect(w.disks).to.be.within(5, 6);
    expect(w.definition).to.equal(w.disks + 1);
  });

  it('a 4 GiB raw disk copied back beside 256 MiB of memory: the disk is most of the job', () => {
    const w = applyWeights(snap('running', 256, [{ bytes: 4096 * MiB }], 'memory.save'));
    expect(w.disks).to.be.within(90, 93);
  });

  it('a stopped snapshot: the disks take everything between the fixed parts, with or without a disk', () => {
    expect(applyWeights(snap('stopped', 256, [{ bytes: 10 * MiB }]))).to.deep.equal({ stopped: 5, disks: 98, definition: 99 });
    expect(applyWeights(snap('stopped', 256, []))).to.deep.equal({ stopped: 5, disks: 98, definition: 99 });
  });
});
