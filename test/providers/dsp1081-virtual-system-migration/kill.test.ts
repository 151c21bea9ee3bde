/**
 * kill -9 of either server while a migration runs (two `xen-wbem serve` processes on two
 * simulated hosts, bin/xl-sim as their xl): after a restart the router is on exactly one host.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { all, first, intrinsic, text } from '../../support/cim-client.js';
import { killGroup, serveProcess, type Serving } from '../../support/serve-process.js';
import { runXl } from '../../../src/sim/run-xl.js';
import { toHost, type Hosts } from './hosts.js';


/** Every server started, killed ones too: their process groups hold the xl-sim processes that outlive them. */
let started: Serving[] = [];
const serve = async (data: string, host: string, extra: string[] = []): Promise<Serving> => {
  const s = await serveProcess(data, ['--host-name', host, ...extra], { ownGroup: true });
  started.push(s);
  return s;
};

async function systemsOf(port: number): Promise<string[]> {
  const r = await intrinsic({ port, namespace: 'root/virt' }, 'EnumerateInstanceNames', { ClassName: '<CLASSNAME NAME="Xen_ComputerSystem"/>' });
  return all(first(r.rsp, 'IRETURNVALUE'), 'INSTANCENAME').flatMap((n) =>
    all(n, 'KEYBINDING').filter((k) => k['@NAME'] === 'Name').map((k) => text(first(k, 'KEYVALUE'))));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once the process group a killed server led is empty: the `xl migrate` it started, still copying, has ended. */
async function groupEnded(s: Serving): Promise<void> {
  const pgid = s.proc.pid!;
  for (const until = Date.now() + 30_000; Date.now() < until; await sleep(50)) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return; // ESRCH: nothing of it left
    }
  }
  throw new Error('the killed server\'s xl migrate never ended');
}

describe('DSP1081: kill -9 of a server mid-migration', function () {
  this.timeout(90_000);
  let base: string;
  let running: Serving[] = [];

  beforeEach(() => {
    base = mkdtempSync(path.join(tmpdir(), 'xen-wbem-migkill-'));
    for (const h of ['hostA', 'hostB']) {
      mkdirSync(path.join(base, h, 'xl-sim'), { recursive: true });
      // 256 MiB at 192 MiB/s: 1.3 s of pre-copy to be killed in.
      writeFileSync(path.join(base, h, 'xl-sim', 'host.json'), JSON.stringify({ hostname: h, bridges: ['xenbr0'], migration_mib_per_sec: 192 }));
    }
  });
  afterEach(async () => {
    // The servers and the xl-sim processes that outlived a killed one (an orphaned `xl migrate`
    // still copying): all gone before their directories are removed.
    await Promise.all(started.map(killGroup));
    started = [];
    running = [];
    rmSync(base, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  async function twoServers(): Promise<{ a: Serving; b: Serving }> {
    const b = await serve(path.join(base, 'hostB'), 'hostB');
    const a = await serve(path.join(base, 'hostA'), 'hostA', ['--peer', `hostB=http://127.0.0.1:${b.port}/cimom`]);
    running.push(a, b);
    return { a, b };
  }

  async function routerOnA(): Promise<void> {
    const cfg = path.join(base, 'router1.cfg');
    writeFileSync(cfg, 'name = "router1"\ntype = "pv"\nmemory = 256\nvcpus = 1\nkernel = "/boot/vmlinuz-router"\nvif = [ "bridge=xenbr0" ]\n');
    const r = await runXl(['create', '-q', cfg], { stateDir: path.join(base, 'hostA', 'xl-sim') });
    expect(r.exitCode, r.stderr).to.equal(0);
  }

  async function startMigration(a: Serving): Promise<void> {
    const h = { cimA: { port: a.port, namespace: 'root/virt' } } as unknown as Hosts;
    const r = await toHost(h, 'MigrateVirtualSystemToHost', 'router1', 'hostB');
    expect(r.error, r.error?.description).to.equal(undefined);
  }

  /** Whether xl on a host lists router1 (its simulator's state, read in this process). */
  async function xlHas(host: string): Promise<boolean> {
    const r = await runXl(['list'], { stateDir: path.join(base, host, 'xl-sim') });
    expect(r.exitCode, r.stderr).to.equal(0);
    return /^router1 /m.test(r.stdout);
  }

  /**
   * Where router1 is, once no `xl migrate` runs any more and both servers' pictures show what xl
   * shows (each refreshes within a second or so; on a loaded machine later).
   */
  async function settled(a: Serving, b: Serving): Promise<{ a: boolean; b: boolean }> {
    const xl = { a: await xlHas('hostA'), b: await xlHas('hostB') };
    let last = { a: false, b: false };
    for (const until = Date.now() + 20_000; Date.now() < until; await sleep(150)) {
      last = { a: (await systemsOf(a.port)).includes('router1'), b: (await systemsOf(b.port)).includes('router1') };
      if (last.a === xl.a && last.b === xl.b) break;
    }
    expect(last, 'the servers show what xl shows').to.deep.equal(xl);
    return last;
  }

  it('source killed half-way: after its restart the router is on exactly one host', async () => {
    await routerOnA();
    let { a, b } = await twoServers();
    expect(await systemsOf(a.port)).to.include('router1');
    await startMigration(a);
    await sleep(600);
    a.proc.kill('SIGKILL');
    await a.proc;
    running = running.filter((s) => s !== a);
    const killed = a;
    a = await serve(path.join(base, 'hostA'), 'hostA', ['--peer', `hostB=http://127.0.0.1:${b.port}/cimom`]);
    running.push(a);
    await groupEnded(killed); // the orphaned pre-copy, if it had begun, has ended
    const where = await settled(a, b);
    expect(where.a !== where.b, JSON.stringify(where)).to.equal(true);
    // The host that has it has its definition; the other has none.
    const defs = (h: string) => existsSync(path.join(base, h, 'definitions', 'router1.json'));
    expect({ a: defs('hostA'), b: defs('hostB') }).to.deep.equal(where);
  });

  it('destination killed half-way: after its restart the router is on exactly one host, adopted with its definition', async () => {
    await routerOnA();
    let { a, b } = await twoServers();
    await startMigration(a);
    await sleep(600);
    b.proc.kill('SIGKILL');
    await b.proc;
    running = running.filter((s) => s !== b);
    // The transfer ends while hostB's server is down: hostA no longer has the router.
    for (const until = Date.now() + 20_000; Date.now() < until && (await systemsOf(a.port)).includes('router1');) await sleep(100);
    b = await serve(path.join(base, 'hostB'), 'hostB');
    running.push(b);
    const where = await settled(a, b);
    expect(where).to.deep.equal({ a: false, b: true });
    // Adopted with the definition hostA handed over before the transfer, kept across hostB's crash.
    const def = JSON.parse(readFileSync(path.join(base, 'hostB', 'definitions', 'router1.json'), 'utf8'));
    expect(def.origin).to.equal('defined');
    expect(existsSync(path.join(base, 'hostA', 'definitions', 'router1.json'))).to.equal(false);
  });
});
