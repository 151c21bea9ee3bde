/**
 * Every fault the simulator injects (fail, slow, hang) under every xl command a CIM method runs,
 * end to end through the operations layer: how long the client waits for its answer (the sync
 * budget turns anything longer into 4096 and a job), the answer, when the job ends, the state the
 * system is left in, and whether the next call goes through (nothing stays locked). The budget and
 * the deadlines are scaled down so the section runs in about a minute; the production figures are
 * printed beside them.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CimValue } from '../src/cim/index.js';
import { DEFAULT_DEADLINES, deadlineOf } from '../src/drivers/xl/deadlines.js';
import { SYNC_BUDGET_MS } from '../src/providers/shared/budget.js';
import { computerSystemName, rasdName, vssdName } from '../src/providers/shared/naming.js';
import type { TargetState } from '../src/virt/index.js';
import { type World, inst, runTo, world } from '../test/providers/fixture.js';

const BUDGET_MS = 1_000;
const QUICK_MS = 2_000;
const LONG_MS = 3_000;

type Call = (w: World) => Promise<{ returnValue: CimValue; out: Record<string, CimValue> }>;

interface Case {
  command: string;
  method: string;
  from: TargetState;
  call: Call;
}

const rsc = (code: number): Call => (w) => w.rsc('s', code);

const CASES: Case[] = [
  { command: 'create', method: 'RequestStateChange 2', from: 'defined', call: rsc(2) },
  { command: 'pause', method: 'RequestStateChange 9', from: 'running', call: rsc(9) },
  { command: 'unpause', method: 'RequestStateChange 2', from: 'paused', call: rsc(2) },
  { command: 'destroy', method: 'RequestStateChange 3', from: 'running', call: rsc(3) },
  { command: 'save', method: 'RequestStateChange 6', from: 'running', call: rsc(6) },
  { command: 'restore', method: 'RequestStateChange 2', from: 'suspended', call: rsc(2) },
  { command: 'shutdown', method: 'RequestStateChange 4', from: 'running', call: rsc(4) },
  { command: 'reboot', method: 'RequestStateChange 10', from: 'running', call: rsc(10) },
  { command: 'destroy', method: 'DestroySystem', from: 'running', call: (w) => w.call('DestroySystem', { AffectedSystem: computerSystemName('s') }) },
  {
    command: 'mem-set', method: 'ModifyResourceSettings (memory)', from: 'running',
    call: (w) => w.call('ModifyResourceSettings', { ResourceSettings: [inst('Xen_MemResourceAllocationSettingData', { InstanceID: 's/mem', VirtualQuantity: 192 * 1024, AllocationUnits: 'byte*2^10' })] }),
  },
  {
    command: 'vcpu-set', method: 'ModifyResourceSettings (vCPUs)', from: 'running',
    call: (w) => w.call('ModifyResourceSettings', { ResourceSettings: [inst('Xen_ProcResourceAllocationSettingData', { InstanceID: 's/proc', VirtualQuantity: 2 })] }),
  },
  {
    command: 'block-attach', method: 'AddResourceSettings (disk)', from: 'running',
    call: (w) => w.call('AddResourceSettings', {
      AffectedConfiguration: vssdName('s'),
      ResourceSettings: [inst('Xen_DiskResourceAllocationSettingData', { Address: '/srv/data.img', VirtualDevice: 'xvdb' })],
    }),
  },
  {
    command: 'network-detach', method: 'RemoveResourceSettings (NIC)', from: 'running',
    call: async (w) => w.call('RemoveResourceSettings', { ResourceSettings: [rasdName('s', 'network', (await w.virt.getSystem('s')).config.nics[0]!.mac)] }),
  },
];

async function prepare(): Promise<World> {
  const w = await world({ syncBudgetMs: BUDGET_MS, driver: { commandTimeoutMs: QUICK_MS, longTimeoutMs: LONG_MS } });
  await w.virt.defineSystem({ name: 's', type: 'pv', memoryMiB: 256, maxMemoryMiB: 512, vcpus: 1, maxVcpus: 2, boot: { kernel: '/k' }, nics: [{ bridge: 'xenbr0' }] });
  return w;
}

async function reach(w: World, from: TargetState): Promise<void> {
  if (from === 'defined') return;
  await runTo(w.virt, 's', 'running');
  if (from === 'paused') await runTo(w.virt, 's', 'paused');
  if (from === 'suspended') await runTo(w.virt, 's', 'suspended');
}

export async function runFaultsBench(report: (line: string) => void): Promise<void> {
  report(`scaled: answer budget ${BUDGET_MS} ms, xl deadlines quick ${QUICK_MS} ms / long ${LONG_MS} ms ` +
    `(production: budget ${SYNC_BUDGET_MS} ms, quick ${DEFAULT_DEADLINES.quick} ms, create ${deadlineOf(['create'])} ms, save/restore ${deadlineOf(['save'])} ms)`);
  report('| xl command | CIM method | fault | client waited | answer | job ended after | job | state after | next call |');
  report('|---|---|---|---|---|---|---|---|---|');
  for (const c of CASES) {
    for (const mode of ['fail', 'slow', 'hang'] as const) {
      const w = await prepare();
      try {
        await reach(w, c.from);
        const deadline = deadlineOf([c.command], { quick: QUICK_MS, long: LONG_MS });
        const rule = mode === 'slow' ? { command: c.command, mode, delay_ms: Math.floor(deadline / 3), count: 1 } : { command: c.command, mode, count: 1 };
        writeFileSync(path.join(w.dir, 'xl-sim', 'faults.json'), JSON.stringify({ rules: [rule] }));
        const t0 = Date.now();
        const r = await c.call(w).then((x) => ({ answer: String(x.returnValue), job: x.out['Job'] }), (e: unknown) => ({ answer: `CIM error ${String((e as { code?: unknown }).code ?? '?')}`, job: undefined }));
        const waited = Date.now() - t0;
        let jobEnd = '-';
        let jobState = '-';
        if (r.job) {
          const id = (r.job as { keyString(k: string): string | undefined }).keyString('InstanceID')!;
          const job = w.jobs.get(id)!;
          await job.done.catch(() => undefined);
          jobEnd = `${Date.now() - t0} ms`;
          jobState = job.state;
        }
        const after = (await w.virt.getSystem('s').catch(() => undefined))?.state ?? 'gone';
        writeFileSync(path.join(w.dir, 'xl-sim', 'faults.json'), JSON.stringify({ rules: [] }));
        const next = after === 'gone' ? '- (destroyed)' : await w.virt.requestStateChange('s', after === 'running' ? 'paused' : 'running').then(
          async (x) => { if (x.kind === 'job') await x.job.done; return 'ok'; }, (e: unknown) => `refused: ${(e as Error).message.slice(0, 40)}`).catch(() => 'failed');
        report(`| ${c.command} | ${c.method} | ${mode} | ${waited} ms | ${r.answer} | ${jobEnd} | ${jobState} | ${after} | ${next} |`);
      } finally {
        await w.close();
      }
    }
  }
}
