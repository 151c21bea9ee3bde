// `xl-sim ethtool DEV`: the link settings of the simulated host's uplink (host.json `uplink`,
// `uplink_speed_mbps`), in the layout of ethtool 6.1 (`Settings for DEV:`, then one
// tab-indented `Key: value` line each); the only physical interface the simulated control
// domain has. Bridges answer with an unknown speed, as the kernel reports for them.
import { bridgesOf } from '../bridges.js';
import type { Globals } from '../globals.js';
import { HOST_DEFAULTS } from '../host-state.js';
import { err, out } from '../io.js';
import { withHost } from '../session.js';

export async function run(_cmd: string, argv: string[], g: Globals): Promise<number> {
  if (argv.length !== 1 || argv[0]!.startsWith('-')) {
    err(`xl-sim: 'ethtool ${argv.join(' ')}' is not simulated\n`);
    return 1;
  }
  const dev = argv[0]!;
  return withHost(g.dir, (ctx) => {
    const uplink = ctx.state.host.uplink ?? HOST_DEFAULTS.uplink;
    const mbps = ctx.state.host.uplink_speed_mbps ?? HOST_DEFAULTS.uplink_speed_mbps;
    const isBridge = bridgesOf(ctx.state).some((b) => b.ifname === dev);
    if (dev !== uplink && !isBridge) {
      err('netlink error: no device matches name (offset 24)\nnetlink error: No such device\n');
      return 1;
    }
    const lines = dev === uplink
      ? [`Speed: ${mbps}Mb/s`, 'Duplex: Full', 'Auto-negotiation: on', 'Port: Twisted Pair', 'Link detected: yes']
      : ['Speed: Unknown!', 'Duplex: Unknown! (255)', 'Auto-negotiation: off', 'Port: Other', 'Link detected: yes'];
    out(`Settings for ${dev}:\n${lines.map((l) => `\t${l}\n`).join('')}`);
    return 0;
  });
}
