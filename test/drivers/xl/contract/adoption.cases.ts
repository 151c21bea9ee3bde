/**
 * Driver contract, what the driver learns from xl: domains adopted at start-up or on first
 * sight with their configuration, systems that vanished, changes made behind our back, and
 * what reads cost in xl calls (one `xl list -v` per snapshot, whatever the number of systems).
 */
import { expect } from 'chai';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { rejects, type Case, type Env } from './backends.js';

/** A domain created with xl directly (not through the driver). */
async function createBehind(env: Env, name: string, lines: string[] = []): Promise<void> {
  const file = env.cfg(name, [`name = "${name}"`, 'type = "pv"', 'kernel = "/boot/vmlinuz"', 'memory = 128', ...lines]);
  await env.xl('create', '-q', file);
}

export const ADOPTION_CASES: Case[] = [
  {
    title: 'adopts running domains at start-up; Domain-0 is never a virtual system',
    on: 'in-process',
    async run(env) {
      await createBehind(env, 'legacy', ['memory = 1024', 'maxmem = 2048', 'vcpus = 2', 'maxvcpus = 4', 'cpu_weight = 300']);
      await createBehind(env, '1234'); // all-digit: cannot be addressed by name, ignored
      const { driver } = env.another({ snapshotTtlMs: 60_000 });
      const report = await driver.init();
      expect(report.adopted).to.deep.equal(['legacy']);
      expect(report.ignored).to.deep.equal(['1234']);
      const list = await driver.list();
      expect(list.map((s) => s.name)).to.deep.equal(['legacy']);
      expect(list[0]).to.deep.include({ state: 'running', origin: 'adopted' });
      expect(list[0]!.config).to.include({ memoryMiB: 1024, maxMemoryMiB: 2048, vcpus: 2, maxVcpus: 4, cpuWeight: 300 });
    },
  },
  {
    title: 'marks stored systems that vanished while we were away',
    on: 'in-process',
    async run({ driver, bareSpec, simState, another }) {
      await driver.define(bareSpec('ghost'));
      await driver.start('ghost');
      rmSync(join(simState, 'state.json')); // the host rebooted behind our back
      const { driver: again } = another();
      const report = await again.init();
      expect(report.vanished).to.deep.equal(['ghost']);
      expect(await again.get('ghost')).to.deep.include({ state: 'defined', vanished: true });
    },
  },
  {
    title: 'an enumeration costs the same one xl call (list -v) for 10 or 100 systems, and none within the TTL',
    on: 'in-process',
    timeoutMs: 60_000,
    async run(env) {
      const { driver, log } = env.another({ snapshotTtlMs: 60_000 });
      await driver.init();
      let k = 0;
      let behind = 0;
      for (const n of [10, 100]) {
        // Half adopted from xl (created behind our back); of ours, half running and half defined only.
        while (behind < n / 2) await createBehind(env, `d${behind++}`);
        // Their first sight (list -v, then list -l for their configurations: adopted). Our own
        // starts below patch the picture with their one domain, no listing of all.
        driver.invalidate();
        await driver.list();
        for (; k < n / 2; k++) {
          await driver.define(env.bareSpec(`s${k}`, { memoryMiB: 128 }));
          if (k % 2 === 0) await driver.start(`s${k}`);
        }
        const before = log!.length;
        driver.invalidate(); // the refresh starts now, in the background; the read waits for it
        const list = await driver.list();
        expect(list).to.have.length(n);
        expect(log!.slice(before)).to.deep.equal([['list', '-v']]);
        await driver.list();
        await driver.get(list.at(-1)!.name);
        expect(log!.length).to.equal(before + 1);
      }
    },
  },
  {
    title: 'adopts a domain created behind our back on first sight, with its configuration, then reads it with one call',
    on: 'in-process',
    async run(env) {
      const { driver, log } = env.another({ snapshotTtlMs: 60_000 });
      await driver.init();
      await driver.define(env.bareSpec('ours'));
      await driver.start('ours');
      await createBehind(env, 'late', [
        'memory = 1024', 'maxmem = 2048', 'vcpus = 2', 'maxvcpus = 4', 'cpu_weight = 300', 'cap = 50',
        'uuid = "5f0c6a3e-2b1d-4c8e-9a7f-0123456789ab"',
        "disk = [ 'format=raw, vdev=xvda, access=rw, target=/srv/late.img' ]", "vif = [ 'mac=00:16:3e:12:34:56, bridge=xenbr1' ]",
      ]);
      let before = log!.length;
      driver.invalidate();
      const sys = await driver.get('late');
      // First sight: list -v shows an unknown domain, so list -l is read once for its configuration.
      expect(log!.slice(before)).to.deep.equal([['list', '-v'], ['list', '-l']]);
      expect(sys).to.deep.include({ name: 'late', uuid: '5f0c6a3e-2b1d-4c8e-9a7f-0123456789ab', state: 'running', origin: 'adopted' });
      expect(sys.config).to.include({ memoryMiB: 1024, maxMemoryMiB: 2048, vcpus: 2, maxVcpus: 4, cpuWeight: 300, cpuCap: 50 });
      expect(sys.config.disks).to.deep.equal([{ target: '/srv/late.img', vdev: 'xvda', format: 'raw', readOnly: false, cdrom: false }]);
      expect(sys.config.nics).to.deep.equal([{ mac: '00:16:3e:12:34:56', bridge: 'xenbr1' }]);
      // ...and stored: from now on it is read like the systems we defined.
      const stored = JSON.parse(readFileSync(join(env.dir, 'definitions', 'late.json'), 'utf8')) as { origin: string; expected: string; config: { uuid: string } };
      expect(stored).to.deep.include({ origin: 'adopted', expected: 'running' });
      expect(stored.config.uuid).to.equal('5f0c6a3e-2b1d-4c8e-9a7f-0123456789ab');
      before = log!.length;
      driver.invalidate();
      const list = await driver.list();
      expect(log!.slice(before)).to.deep.equal([['list', '-v']]);
      expect(list.map((s) => s.name).sort()).to.deep.equal(['late', 'ours']);
      expect(list.find((s) => s.name === 'late')!.config).to.include({ memoryMiB: 1024, vcpus: 2, cpuWeight: 300 });
      // It can be managed like any other system, and stays defined once stopped.
      await driver.pause('late');
      expect((await driver.get('late')).state).to.equal('paused');
      await driver.destroy('late');
      expect((await driver.get('late')).state).to.equal('defined');
    },
  },
  {
    title: 'adopts a domain started with xl directly on first sight, with its configuration',
    on: 'in-process',
    async run(env) {
      const { driver, vm, dir } = env;
      await env.xl('create', env.cfg('outside', [
        'name = "outside"', 'type = "pv"', 'kernel = "/boot/vmlinuz"', 'memory = 384', 'maxmem = 512', 'vcpus = 2', 'maxvcpus = 3',
        `disk = [ 'format=raw, vdev=xvda, access=rw, target=${join(dir, 'outside.img')}' ]`,
        'vif = [ \'mac=00:16:3e:0a:0b:0c, bridge=xenbr1\' ]',
      ]));
      const before = driver.metrics();
      driver.invalidate();
      const s = await vm.getSystem('outside');
      expect(driver.metrics().toolCalls - before.toolCalls).to.equal(2); // list -v, then list -l once
      expect(s).to.deep.include({ state: 'running', origin: 'adopted' });
      expect(s.config).to.include({ memoryMiB: 384, maxMemoryMiB: 512, vcpus: 2, maxVcpus: 3 });
      expect(s.config.nics.map((n) => [n.mac, n.bridge])).to.deep.equal([['00:16:3e:0a:0b:0c', 'xenbr1']]);
      expect(existsSync(join(dir, 'definitions', 'outside.json'))).to.equal(true);
      const mid = driver.metrics().toolCalls;
      driver.invalidate();
      expect((await vm.listSystems()).map((x) => x.name)).to.deep.equal(['outside']);
      expect(driver.metrics().toolCalls - mid).to.equal(1);
      expect((await vm.requestState('outside', 'defined')).state).to.equal('defined');
    },
  },
  {
    title: 'asks xl for an unreadable domain\'s configuration once, not on every read',
    on: 'in-process',
    async run(env) {
      const { driver, log } = env.another({ snapshotTtlMs: 60_000 });
      await driver.init();
      // xl list -l skips a domain whose configuration it cannot retrieve (exit 0, libxl error).
      env.faults({ unreadable_config: ['late'] });
      await createBehind(env, 'late');
      let before = log!.length;
      driver.invalidate();
      expect(await driver.list()).to.deep.equal([]);
      expect(log!.slice(before)).to.deep.equal([['list', '-v'], ['list', '-l']]);
      before = log!.length;
      driver.invalidate();
      expect(await driver.list()).to.deep.equal([]);
      expect(log!.slice(before)).to.deep.equal([['list', '-v']]);
    },
  },
  {
    title: 'folds changes made behind our back into the definitions at start-up',
    on: 'in-process',
    async run(env) {
      const { driver, bareSpec, another, dir } = env;
      await driver.define(bareSpec('drift', { maxMemoryMiB: 1024 }));
      await driver.start('drift');
      await env.xl('mem-set', 'drift', '768m'); // an admin's xl mem-set
      await env.xl('sched-credit2', '-d', 'drift', '-w', '512'); // and sched-credit2 -w
      const { driver: again } = another();
      await again.init();
      expect((await again.get('drift')).config).to.include({ memoryMiB: 768, cpuWeight: 512 });
      const stored = JSON.parse(readFileSync(join(dir, 'definitions', 'drift.json'), 'utf8')) as { config: { memoryMiB: number } };
      expect(stored.config.memoryMiB).to.equal(768);
    },
  },
  {
    title: 'enumerates 10 systems with one snapshot (one xl call)',
    on: 'in-process',
    async run({ vm, driver, spec }) {
      for (let i = 0; i < 10; i++) {
        await vm.defineSystem(spec(`e${i}`));
        await driver.start(`e${i}`);
      }
      const before = driver.metrics().toolCalls;
      driver.invalidate();
      const list = await vm.listSystems();
      expect(list.filter((s) => s.state === 'running')).to.have.length(10);
      expect(driver.metrics().toolCalls - before).to.equal(1);
    },
  },
  {
    title: 'defines with no xl call and reads a pause or unpause back without asking xl again',
    on: 'in-process',
    async run(env) {
      const { driver, log } = env.another({ snapshotTtlMs: 60_000 });
      await driver.init();
      await driver.list();
      let before = log!.length;
      await driver.define(env.bareSpec('p1'));
      expect(log!.length).to.equal(before);
      await driver.start('p1');
      await driver.list();
      before = log!.length;
      await driver.pause('p1');
      expect((await driver.get('p1')).state).to.equal('paused');
      await driver.unpause('p1');
      expect((await driver.get('p1')).state).to.equal('running');
      expect(log!.slice(before)).to.deep.equal([['pause', 'p1'], ['unpause', 'p1']]);
      // A change refused before xl ran keeps the picture; one xl refused has it taken again.
      before = log!.length;
      await rejects(driver.unpause('p1'), 'invalid_state');
      env.faults({ rules: [{ command: 'pause', mode: 'fail', stderr: 'libxl: error: libxl_domain.c:587:libxl_domain_pause: Domain 1:Pausing domain: Invalid argument', exit_code: 1 }] });
      await rejects(driver.pause('p1'), 'invalid_argument');
      expect((await driver.get('p1')).state).to.equal('running');
      expect(log!.slice(before)).to.deep.equal([['pause', 'p1'], ['list', '-v']]);
    },
  },
  {
    title: 'reads a start or a restore back from a listing of that one domain, not of the whole host',
    on: 'in-process',
    async run(env) {
      const { driver, log } = env.another({ snapshotTtlMs: 60_000 });
      await driver.init();
      await driver.define(env.bareSpec('q1'));
      await driver.define(env.bareSpec('q2'));
      await driver.list();
      let before = log!.length;
      await driver.start('q1');
      const started = await driver.get('q1');
      expect(started.state).to.equal('running');
      expect((await driver.list()).find((x) => x.name === 'q2')!.state).to.equal('defined');
      expect(log!.slice(before).map((a) => a.filter((x) => !x.endsWith('.cfg')))).to.deep.equal([['create'], ['list', '-v', 'q1']]);
      await driver.save('q1');
      expect((await driver.get('q1')).state).to.equal('suspended');
      before = log!.length;
      await driver.restore('q1', { paused: true });
      const restored = await driver.get('q1');
      expect(restored.state).to.equal('paused');
      expect(restored.live?.domid).to.not.equal(started.live?.domid);
      expect(log!.slice(before).map((a) => a[0] === 'restore' ? ['restore'] : a)).to.deep.equal([['restore'], ['list', '-v', 'q1']]);
      // The picture it patched is the one the next listing shows.
      driver.invalidate();
      const listed = await driver.get('q1');
      expect(listed).to.deep.include({ state: 'paused' });
      expect(listed.live?.domid).to.equal(restored.live?.domid);
    },
  },
];
