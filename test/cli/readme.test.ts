/**
 * Every command the README and docs/operations.md show is run here, or is on the short list
 * of commands checked by hand before a release (they need root, systemd, a network, or take
 * minutes): a command block nobody checks fails this test.
 */
import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { REPO_ROOT } from '../support/test-server.js';
import { requireWbemcli } from '../support/wbemcli.js';
import { startExportListener } from '../support/export-listener.js';
import type { CimInstance } from '../../src/cim/index.js';

const BIN = path.join(REPO_ROOT, 'bin', 'xen-wbem');
const DOCS = ['README.md', path.join('docs', 'operations.md')];

/** Blocks checked by hand before a release, recognised by their first command. */
const BY_HAND: [RegExp, string][] = [
  [/^npm install && npm start/, 'set-up: npm start serves until stopped; npm test and npm run bench run in CI'],
  [/^cd \/opt\/xen-wbem /, 'service install: needs root, systemd and a Xen host'],
];

/**
 * pywbemcli general options as pywbemcli 1.x documents them (`pywbemcli --help`); `-n` is
 * `--name`, a saved connection, not a namespace.
 */
const PYWBEMCLI_OPTIONS = new Set(['-s', '--server', '-d', '--default-namespace', '-u', '--user', '-p', '--password', '--no-verify', '--ca-certs']);

function shellBlocks(file: string): string[] {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
}

describe('docs: every shown command works', function () {
  this.timeout(90_000);
  let app: AppServer;
  let netApp: AppServer;
  let dir: string;
  before(async () => {
    await requireWbemcli();
    // The demo server most blocks read, and the one the network blocks change (so that the blocks
    // reading the demo's networks still find them as seeded): started at once.
    [app, netApp] = await Promise.all([startAppServer({ demo: true }), startAppServer({ demo: true })]);
    dir = mkdtempSync(path.join(tmpdir(), 'xen-wbem-readme-'));
  });
  after(async () => {
    await netApp?.close();
    await app?.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  const blocks = DOCS.flatMap((file) => shellBlocks(file).map((block) => ({ file, block })));

  const byHand = (block: string) => BY_HAND.some(([re]) => re.test(block));
  const isWbemcli = (block: string) => /^U=http:\/\/127\.0\.0\.1:5988\n/.test(block);
  const isUsers = (block: string) => block.includes('npx xen-wbem user');
  const isMonitoring = (block: string) => block.includes('/metrics');
  const isIndications = (block: string) => block.includes('CIM_IndicationSubscription');
  const isSnapshots = (block: string) => block.includes('Xen_VirtualSystemSnapshotService');
  const isMigration = (block: string) => block.includes('Xen_VirtualSystemMigrationService');
  const isSwitches = (block: string) => block.includes('Xen_VirtualEthernetSwitch');
  const isNetworks = (block: string) => block.includes('Xen_VirtualNetwork') || block.includes('xen-wbem network apply');
  const isNetworkView = (block: string) => block.includes('xen-wbem network show');

  it('every command block is run below, or is on the list checked by hand', () => {
    expect(blocks.length).to.be.greaterThan(3);
    const unchecked = blocks.filter(({ block }) => !byHand(block) && !isWbemcli(block) && !isUsers(block) && !isMonitoring(block) && !isIndications(block)
      && !isSwitches(block) && !isNetworkView(block) && !isSnapshots(block) && !isNetworks(block) && !isMigration(block));
    expect(unchecked.map(({ file, block }) => `${file}:\n${block}`)).to.deep.equal([]);
    for (const [re] of BY_HAND) expect(blocks.some(({ block }) => re.test(block)), `${re} matches no block`).to.equal(true);
  });

  for (const { file, block } of blocks.filter(({ block: b }) => !byHand(b))) {
    const first = block.split('\n')[0]!;
    it(`${file}: ${first.slice(0, 70)}`, async () => {
      if (isNetworks(block)) {
        // A network defined (wbemcli, or a topology file), a link changed, the emergency network launched: on a demo
        // server of their own, so the blocks that read the demo's networks later still find them as seeded.
        const script = block.replaceAll(':5988', `:${netApp.port}`).replaceAll('npx xen-wbem', BIN);
        const r = await execa('sh', ['-e', '-c', script], { cwd: REPO_ROOT, reject: false, timeout: 60_000 });
        expect(r.exitCode, r.stderr).to.equal(0);
        if (block.includes('network apply')) {
          expect(r.stdout).to.equal('network lab defined from examples/network.yaml');
        } else {
          expect(r.stdout).to.contain('-Name="emergency"').and.contain('DefineNetwork: 0').and.contain('Xen_VirtualLink.InstanceID="mini/a-b"')
            .and.contain('SetLinkBandwidth: 0').and.contain('-Limit=250000000').and.contain('-JobState=7').and.contain('-PercentComplete=100');
          expect(r.stdout.trim().split('\n').pop()).to.equal('-EnabledState=2');
        }
        return;
      }
      if (isSnapshots(block)) {
        // Run beside the server's data directory, whose images folder is an image directory.
        const script = block.replaceAll(':5988', `:${app.port}`).replaceAll('var/images', `${path.basename(app.dataDir)}/images`);
        const r = await execa('sh', ['-e', '-c', script], { cwd: path.dirname(app.dataDir), reject: false, timeout: 60_000 });
        expect(r.exitCode, `${r.stdout}\n${r.stderr}`).to.equal(0);
        // CreateSnapshot answers 0, or 4096 with a job on a loaded machine (the block waits for it).
        expect(r.stdout).to.match(/CreateSnapshot: (0|4096)/).and.contain('Xen:snapshot:').and.contain('DestroySnapshot: 0');
        expect(r.stdout).to.match(/^2$/m).and.contain('read 4096/4096 bytes');
        return;
      }
      if (isSwitches(block)) {
        // The demo's switches and a router's ports; a switch created and removed again.
        const script = block.replaceAll(':5988', `:${app.port}`);
        const r = await execa('sh', ['-e', '-c', script], { reject: false, timeout: 60_000 });
        expect(r.exitCode, r.stderr).to.equal(0);
        expect(r.stdout).to.contain('Name="xenbr2"').and.contain('Xen_VirtualEthernetSwitchPort').and.contain('DeviceID="vr-core1/')
          .and.contain('DefineSystem: 0').and.contain('Name="lab0"').and.contain('DestroySystem: 0');
        return;
      }
      if (isWbemcli(block)) {
        // wbemcli against the demo network, on this test's port.
        const script = block.replaceAll(':5988', `:${app.port}`);
        const r = await execa('sh', ['-e', '-c', script], { reject: false, timeout: 60_000 });
        expect(r.exitCode, r.stderr).to.equal(0);
        expect(r.stdout).to.contain('Xen_ComputerSystem').and.contain('vr-core1').and.contain('DSP1042');
        return;
      }
      if (isUsers(block)) {
        const script = block.replaceAll('npx xen-wbem', BIN);
        const r = await execa('sh', ['-e', '-c', script], { cwd: dir, reject: false, timeout: 60_000 });
        expect(r.exitCode, r.stderr).to.equal(0);
        expect(r.stdout).to.contain('admin\tadmin').and.contain('viewer\toperator').and.contain('user viewer removed');
        return;
      }
      if (isMonitoring(block)) {
        // The demo server sampled its systems once at start-up.
        const script = block.replaceAll(':5988', `:${app.port}`);
        const r = await execa('sh', ['-e', '-c', script], { reject: false, timeout: 60_000 });
        expect(r.exitCode, r.stderr).to.equal(0);
        expect(r.stdout).to.contain('-MetricValue=').and.match(/^xen_wbem_system_memory_in_use_bytes\{system="vr-core1"\} \d+$/m);
        return;
      }
      if (isIndications(block)) {
        // Subscribe a listener of our own, pause a router, receive the modification.
        const listener = await startExportListener();
        try {
          const script = block.replaceAll(':5988', `:${app.port}`).replaceAll(':5990', `:${listener.port}`);
          const r = await execa('sh', ['-e', '-c', script], { reject: false, timeout: 60_000 });
          expect(r.exitCode, r.stderr).to.equal(0);
          for (let n = 1; ; n++) {
            const got = await listener.waitFor(n, 10_000);
            const hit = got.find((i) => (i.get('SourceInstance') as CimInstance).get('EnabledState') === 9);
            if (!hit) continue;
            expect(hit.className).to.equal('CIM_InstModification');
            expect((hit.get('SourceInstance') as CimInstance).get('Name')).to.equal('vr-core1');
            expect((hit.get('PreviousInstance') as CimInstance).get('EnabledState')).to.equal(2);
            break;
          }
        } finally {
          await listener.close();
        }
        return;
      }
      if (isMigration(block)) {
        await runMigrationBlock(block);
        return;
      }
      if (isNetworkView(block)) {
        // The demo's networks, drawn from this test's server.
        const script = block.replaceAll(':5988', `:${app.port}`)
          .replace(/npx xen-wbem (network \w+)/g, `${BIN} $1 --url http://127.0.0.1:${app.port}`);
        const r = await execa('sh', ['-e', '-c', script], { cwd: dir, reject: false, timeout: 60_000 });
        expect(r.exitCode, r.stderr).to.equal(0);
        expect(r.stdout).to.match(/^demo +mixed +4 +2$/m).and.match(/^emergency +paused +3 +2$/m);
        expect(r.stdout).to.match(/^network demo: mixed$/m).and.match(/^ {2}core1-edge1 +vr-core1 <-> vr-edge1 +100 Mbit\/s +50 Mbit\/s +down$/m);
        expect(readFileSync(path.join(dir, 'demo.svg'), 'utf8').match(/<g class="router"/g)).to.have.length(4);
        expect(readFileSync(path.join(dir, 'emergency.svg'), 'utf8').match(/<g class="router" data-name="vr-em\d" data-state="paused"/g)).to.have.length(3);
        return;
      }
      expect.fail(`a command block nobody checks:\n${block}`);
    });
  }

  it('pywbemcli lines use only the general options pywbemcli documents, -d for the namespace', () => {
    const lines = DOCS.flatMap((file) => [...readFileSync(path.join(REPO_ROOT, file), 'utf8').matchAll(/^[`]?(pywbemcli [^`\n]+)/gm)].map((m) => m[1]!));
    expect(lines.length).to.be.greaterThan(1);
    for (const line of lines) {
      const opts = line.split(/\s+/).filter((t, i, all) => t.startsWith('-') && all.indexOf('instance') > i);
      for (const o of opts) expect(PYWBEMCLI_OPTIONS.has(o), `${o} in: ${line}`).to.equal(true);
      expect(opts, line).to.include('-d');
    }
  });
});

/** `n` distinct free TCP ports on loopback (all held open until each is known, so none repeats). */
async function freePorts(n: number): Promise<number[]> {
  const held: net.Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      held.push(await new Promise<net.Server>((resolve, reject) => {
        const srv = net.createServer().listen(0, '127.0.0.1', () => resolve(srv));
        srv.on('error', reject);
      }));
    }
    return held.map((srv) => (srv.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(held.map((srv) => new Promise((resolve) => srv.close(resolve))));
  }
}

/**
 * The two-host migration block: its `xen-wbem serve … &` lines are started here (and waited for),
 * in a temporary directory and on free ports; the lines before them and after them run as shown.
 */
async function runMigrationBlock(block: string): Promise<void> {
  const base = mkdtempSync(path.join(tmpdir(), 'xen-wbem-readme-mig-'));
  const [pa, pb] = (await freePorts(2)) as [number, number];
  const text = block.replaceAll('/tmp/hosts', base).replaceAll('15988', String(pa)).replaceAll('15990', String(pb));
  const lines = text.split('\n');
  const isServe = (l: string) => /^xen-wbem serve .* &$/.test(l);
  const firstServe = lines.findIndex(isServe);
  const servers: ResultPromise[] = [];
  try {
    const pre = await execa('sh', ['-e', '-c', lines.slice(0, firstServe).join('\n')], { reject: false });
    expect(pre.exitCode, pre.stderr).to.equal(0);
    // Started together, as the block's `&` lines start them, and each waited for.
    await Promise.all(lines.filter(isServe).map((l) => {
      const args = l.replace(/ &$/, '').split(' ').slice(1);
      const proc = execa(BIN, args, { reject: false, buffer: false, forceKillAfterDelay: false });
      servers.push(proc);
      return new Promise<void>((resolve, reject) => {
        let out = '';
        proc.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('xen-wbem serving http')) resolve();
        });
        void proc.then((r) => reject(new Error(`${l} exited (${r.exitCode})`)));
      });
    }));
    const post = lines.slice(lines.findLastIndex(isServe) + 1).join('\n');
    const r = await execa('sh', ['-e', '-c', post], { reject: false, timeout: 60_000 });
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("IsMigratable (boolean): FALSE, Reasons (string): hostB has no virtual switch 'xenbr2' (used by 'vr-core2')")
      .and.contain('IsMigratable (boolean): TRUE').and.contain('MigrateVirtualSystemToHost: 4096, Job (reference): Xen_MigrationJob.InstanceID=')
      .and.contain('-JobState=7')
      .and.contain(`127.0.0.1:${pb}/root/virt:Xen_ComputerSystem.CreationClassName="Xen_ComputerSystem",Name="vr-core1"`)
      .and.not.contain(`127.0.0.1:${pa}/root/virt:Xen_ComputerSystem.CreationClassName="Xen_ComputerSystem",Name="vr-core1"`);
  } finally {
    for (const s of servers) s.kill('SIGTERM');
    await Promise.all(servers);
    rmSync(base, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }
}

