// The simulated control domain's bridges: `xl-sim ip link ...` with iproute2 6.1's texts and
// exit statuses, and the vif hotplug failure of `xl create` / `xl network-attach` on a bridge
// that does not exist (the texts libxl 4.17 prints).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cleanupTempDirs, newHost, xl } from './helpers.js';

const IP_SAMPLES = fileURLToPath(new URL('../../../test/data/ip-samples/', import.meta.url));
const ipSample = (name: string): string => readFileSync(IP_SAMPLES + name, 'utf8');

async function bridgeNames(st: string): Promise<string[]> {
  const r = await xl(['ip', '-j', 'link', 'show', 'type', 'bridge'], { state: st });
  expect(r.code).to.equal(0);
  return (JSON.parse(r.stdout) as Array<{ ifname: string }>).map((l) => l.ifname);
}

/** The libxl lines with the pid in brackets replaced, so they compare with the reference. */
const noPids = (s: string): string => s.replace(/\[\d+\]/g, '[<pid>]');

describe('xl-sim bridges (ip link, vif hotplug)', () => {
  after(cleanupTempDirs);

  it('host.json `bridges` are the bridges; the default host has xenbr0 only', async () => {
    expect(await bridgeNames(newHost({ bridges: ['xenbr0', 'xenbr7'] }))).to.deep.equal(['xenbr0', 'xenbr7']);
    const bare = newHost();
    // newHost writes the sample bridges; a host.json without `bridges` gets the default.
    const { writeFileSync } = await import('node:fs');
    writeFileSync(bare + '/host.json', '{}');
    expect(await bridgeNames(bare)).to.deep.equal(['xenbr0']);
  });

  it('`ip -j link show type bridge` prints one JSON array line with iproute2 field order', async () => {
    const st = newHost({ bridges: ['xenbr0'] });
    const r = await xl(['ip', '-j', 'link', 'show', 'type', 'bridge'], { state: st });
    expect(r.stdout.endsWith(']\n')).to.equal(true);
    const [br] = JSON.parse(r.stdout);
    const ref = JSON.parse(ipSample('ip-j-link-show.out')).find((l: { ifname: string }) => l.ifname === 'xenbr0');
    expect(Object.keys(br)).to.deep.equal(Object.keys(ref));
    expect({ ...br, ifindex: 0, address: '' }).to.deep.equal({ ...ref, ifindex: 0, address: '' });
  });

  it('ip link add / del with the real texts and statuses', async () => {
    const st = newHost({ bridges: ['xenbr0'] });
    const run = (...a: string[]) => xl(['ip', 'link', ...a], { state: st });
    expect(await run('add', 'name', 'xenbr5', 'type', 'bridge')).to.deep.equal({ stdout: '', stderr: '', code: 0 });
    expect(await run('add', 'xenbr5', 'type', 'bridge')).to.deep.equal({ stdout: '', stderr: ipSample('ip-link-add-bridge-exists.err'), code: 2 });
    expect(await run('add', 'bad name', 'type', 'bridge')).to.deep.equal({ stdout: '', stderr: ipSample('ip-link-add-bridge-badname.err'), code: 255 });
    expect(await run('add', 'this-name-is-too-long', 'type', 'bridge')).to.deep.equal({ stdout: '', stderr: ipSample('ip-link-add-bridge-toolong.err'), code: 2 });
    expect(await run('add', 'br9', 'type', 'nosuchtype')).to.deep.equal({ stdout: '', stderr: ipSample('ip-link-add-badtype.err'), code: 2 });
    expect(await bridgeNames(st)).to.deep.equal(['xenbr0', 'xenbr5']);
    // A new bridge is down until it is set up.
    const shown = await xl(['ip', 'link', 'show', 'dev', 'xenbr5'], { state: st });
    expect(shown.stdout).to.match(/^3: xenbr5: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n {4}link\/ether [0-9a-f:]{17} brd ff:ff:ff:ff:ff:ff\n$/);
    expect(await run('del', 'xenbr0')).to.deep.equal({ stdout: '', stderr: '', code: 0 });
    expect(await run('del', 'xenbr0', 'type', 'bridge')).to.deep.equal({ stdout: '', stderr: ipSample('ip-link-del-bridge-type.err'), code: 1 });
    expect(await xl(['ip', '-j', 'link', 'show', 'dev', 'nosuch'], { state: st })).to.deep.equal({ stdout: '', stderr: ipSample('ip-j-link-show-nodev.err'), code: 1 });
    expect(await bridgeNames(st)).to.deep.equal(['xenbr5']);
  });

  it('`ip link show master BR`: the uplink on its bridge and each running guest\'s vif, with master; a missing bridge is an error', async () => {
    const st = newHost({ bridges: ['xenbr0', 'xenbr1'] });
    expect((await xl(['create', '-q', 'web01.cfg'], { state: st })).code).to.equal(0);
    const ports = async (br: string) => {
      const r = await xl(['ip', '-j', 'link', 'show', 'master', br], { state: st });
      expect(r.code).to.equal(0);
      return (JSON.parse(r.stdout) as Array<{ ifname: string; master: string }>).map((l) => `${l.ifname}@${l.master}`);
    };
    expect(await ports('xenbr0')).to.deep.equal(['eth0@xenbr0', 'vif1.0@xenbr0']);
    expect(await ports('xenbr1')).to.deep.equal(['vif1.1@xenbr1']);
    const text = await xl(['ip', 'link', 'show', 'master', 'xenbr1'], { state: st });
    expect(text.stdout).to.match(/^\d+: vif1\.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master xenbr1 state UP /);
    expect(await xl(['ip', '-j', 'link', 'show', 'master', 'xenbr9'], { state: st })).to.deep.equal({ stdout: '', stderr: 'Device "xenbr9" does not exist.\n', code: 1 });
  });

  it('xl create with a vif on a missing bridge: the hotplug failure, rc 3, no domain, the domid consumed', async () => {
    const st = newHost({ bridges: ['xenbr0'] });
    const r = await xl(['create', 'web01.cfg'], { state: st });
    expect(r.code).to.equal(3);
    expect(r.stdout).to.equal('');
    expect(noPids(r.stderr)).to.equal('Parsing config from web01.cfg\n' +
      'libxl: error: libxl_exec.c:117:libxl_report_child_exitstatus: /etc/xen/scripts/vif-bridge online [<pid>] exited with error status 1\n' +
      'libxl: error: libxl_device.c:1337:device_hotplug_child_death_cb: script: Could not find bridge device xenbr1\n' +
      'libxl: error: libxl_create.c:1919:domcreate_attach_devices: Domain 1:unable to add vif devices\n' +
      'libxl: error: libxl_exec.c:117:libxl_report_child_exitstatus: /etc/xen/scripts/vif-bridge offline [<pid>] exited with error status 1\n' +
      'libxl: error: libxl_device.c:1337:device_hotplug_child_death_cb: script: Could not find bridge device xenbr1\n');
    expect((await xl(['list'], { state: st })).stdout).to.not.contain('web01');
    // Once the bridge exists the same create works, with the next domid.
    expect((await xl(['ip', 'link', 'add', 'xenbr1', 'type', 'bridge'], { state: st })).code).to.equal(0);
    expect((await xl(['create', '-q', 'web01.cfg'], { state: st })).code).to.equal(0);
    expect((await xl(['domid', 'web01'], { state: st })).stdout).to.equal('2\n');
  });

  it('xl network-attach on a missing bridge: rc 1, the hotplug failure, the stale entry left behind', async () => {
    const st = newHost({ bridges: ['xenbr0', 'xenbr1'] });
    expect((await xl(['create', '-q', 'web01.cfg'], { state: st })).code).to.equal(0);
    const r = await xl(['network-attach', 'web01', 'bridge=xenbr9'], { state: st });
    expect(r.code).to.equal(1);
    expect(noPids(r.stderr)).to.equal(
      'libxl: error: libxl_exec.c:117:libxl_report_child_exitstatus: /etc/xen/scripts/vif-bridge online [<pid>] exited with error status 1\n' +
      'libxl: error: libxl_device.c:1337:device_hotplug_child_death_cb: script: Could not find bridge device xenbr9\n' +
      'libxl: error: libxl_device.c:1481:device_addrm_aocomplete: Domain 1:Unable to add vif with id 2\n' +
      'libxl_device_nic_add failed.\n');
    const list = await xl(['network-list', 'web01'], { state: st });
    expect(list.stdout.split('\n').filter((l) => /^\d/.test(l)).map((l) => l.split(/\s+/)[0])).to.deep.equal(['0', '1', '2']);
    expect((await xl(['network-detach', 'web01', '2'], { state: st })).code).to.equal(0);
  });
});
