// Bridges of the simulated control domain: what `ip link` shows and what the vif hotplug script
// (`/etc/xen/scripts/vif-bridge`) checks before plugging a vif in (docs/xl-toolstack.md §6).
import type { BridgeLink, HostState } from './host-state.js';

/** The host's bridges, created from host.json `bridges` the first time they are needed. */
export function bridgesOf(s: HostState): BridgeLink[] {
  if (!s.bridges) {
    // ifindex 1 is the loopback device, as on every Linux host.
    s.bridges = (s.host.bridges ?? ['xenbr0']).map((ifname, i) => ({ ifname, ifindex: i + 2, up: true }));
    s.next_ifindex = s.bridges.length + 2;
  }
  return s.bridges;
}

export function hasBridge(s: HostState, name: string): boolean {
  return bridgesOf(s).some((b) => b.ifname === name);
}

/** A stable locally administered MAC for a bridge (the kernel picks a random one). */
export function bridgeMac(name: string): string {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const b = [(h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff].map((x) => x.toString(16).padStart(2, '0'));
  return `02:16:3e:${b.join(':')}`;
}

const SCRIPT = '/etc/xen/scripts/vif-bridge';

/** The two lines libxl logs for one failed run of the hotplug script on a missing bridge. */
function scriptFailure(action: 'online' | 'offline', pid: number, bridge: string): string {
  return `libxl: error: libxl_exec.c:117:libxl_report_child_exitstatus: ${SCRIPT} ${action} [${pid}] exited with error status 1\n` +
    `libxl: error: libxl_device.c:1337:device_hotplug_child_death_cb: script: Could not find bridge device ${bridge}\n`;
}

/** `xl create` whose vif names a missing bridge: the online script fails, libxl destroys the domain (rc 3). */
export function createBridgeFailure(domid: number, bridge: string, pid: number): string {
  return scriptFailure('online', pid, bridge) +
    `libxl: error: libxl_create.c:1919:domcreate_attach_devices: Domain ${domid}:unable to add vif devices\n` +
    scriptFailure('offline', pid + 1, bridge);
}

/** `xl network-attach` on a missing bridge (rc 1): the device entry is not rolled back. */
export function attachBridgeFailure(domid: number, devid: number, bridge: string, pid: number): string {
  return scriptFailure('online', pid, bridge) +
    `libxl: error: libxl_device.c:1481:device_addrm_aocomplete: Domain ${domid}:Unable to add vif with id ${devid}\n` +
    'libxl_device_nic_add failed.\n';
}
