// The error text and exit status real xl prints when the operation behind a command fails
// (used by the "fail" fault mode, faults.ts). Texts come from xl(1); the
// domain id placeholder is resolved from the current state when possible.
import { loadState } from './store.js';
import type { Globals } from './globals.js';

export interface Failure { stderr: string; code: number }

function firstOperand(args: string[]): string | undefined {
  return args.find((a) => !a.startsWith('-'));
}

export function failureFor(g: Globals, cmd: string, args: string[]): Failure {
  let domid = '1';
  const op = firstOperand(args);
  try {
    const { state } = loadState(g.dir, Date.now());
    if (op !== undefined) {
      if (/^[0-9]+$/.test(op)) domid = op;
      else {
        const d = state.domains.find((x) => x.name === op);
        if (d) domid = String(d.domid);
        else if (cmd === 'create' || cmd === 'restore') domid = String(state.next_domid);
      }
    } else {
      domid = String(state.next_domid);
    }
  } catch { /* no state yet */ }
  const D = `Domain ${domid}:`;
  switch (cmd) {
    case 'create': {
      const cfgName = args.find((a) => !a.startsWith('-') && !a.includes('='));
      return {
        stderr: (cfgName ? `Parsing config from ${cfgName}\n` : '') +
          `libxl: error: libxl_create.c:1296:initiate_domain_create: ${D}cannot make domain: -3\n`,
        code: 3,
      };
    }
    case 'destroy':
      return { stderr: `libxl: error: libxl_domain.c:1137:domain_destroy_callback: ${D}Unable to destroy guest\nlibxl: error: libxl_domain.c:1064:domain_destroy_cb: ${D}Destruction of domain failed\ndestroy failed (rc=-3)\n`, code: 1 };
    case 'shutdown':
    case 'reboot': {
      const verb = cmd === 'shutdown' ? 'Shutting down' : 'Rebooting';
      return { stderr: `${verb} domain ${domid}\nlibxl: error: libxl_domain.c:854:pvcontrol_cb: guest didn't acknowledge control request: -9\n${cmd} failed (rc=-9)\n`, code: 1 };
    }
    case 'pause':
      return { stderr: `libxl: error: libxl_domain.c:587:libxl_domain_pause: ${D}Pausing domain: Operation not permitted\n`, code: 0 };
    case 'unpause':
      return { stderr: `libxl: error: libxl_domain.c:688:domain_unpause_done: ${D}Unpausing domain: Operation not permitted\n`, code: 0 };
    case 'save': {
      const file = args.filter((a) => !a.startsWith('-'))[1] ?? '';
      return { stderr: `Saving to ${file} new xl format (info 0x3/0x0/0)\nlibxl: error: libxl_stream_write.c:350:libxl__xc_domain_save_done: ${D}saving domain: domain responded to suspend request: Input/output error\nFailed to save domain, resuming domain\n`, code: 1 };
    }
    case 'restore':
      return { stderr: `libxl: error: libxl_create.c:1898:domcreate_rebuild_done: ${D}cannot (re-)build domain: -3\n`, code: 1 };
    case 'migrate':
      return { stderr: `migration sender: libxl_domain_suspend failed (rc=-3)\nMigration failed, resuming at sender.\n`, code: 1 };
    case 'mem-set':
      return { stderr: `libxl: error: libxl_mem.c:347:libxl_set_memory_target: ${D}xc_domain_set_pod_target failed\n\ncannot set domid ${domid} dynamic max memory to : ${args.filter((a) => !a.startsWith('-'))[1] ?? ''}\n`, code: 1 };
    case 'mem-max':
      return { stderr: `libxl: error: libxl_mem.c:75:libxl_domain_setmaxmem: ${D}Failed to set maximum memory\ncannot set domid ${domid} static max memory to : ${args.filter((a) => !a.startsWith('-'))[1] ?? ''}\n`, code: 1 };
    case 'vcpu-set':
      return { stderr: `libxl_set_vcpuonline failed domid=${domid} max_vcpus=${args.filter((a) => !a.startsWith('-'))[1] ?? ''}, rc: -3\n`, code: 1 };
    case 'network-attach': return { stderr: 'libxl_device_nic_add failed.\n', code: 1 };
    case 'network-detach': return { stderr: 'libxl_device_nic_del failed.\n', code: 1 };
    case 'block-attach': return { stderr: 'libxl_device_disk_add failed.\n', code: 1 };
    case 'block-detach': return { stderr: 'libxl_device_disk_safe_remove failed.\n', code: 1 };
    case 'sched-credit':
    case 'sched-credit2': return { stderr: 'libxl_domain_sched_params_set failed.\n', code: 1 };
    case 'rename': return { stderr: `Can't rename domain '${op ?? ''}'.\n`, code: 1 };
    case 'list': return { stderr: 'libxl_list_domain failed.\n', code: 1 };
    case 'info': return { stderr: 'libxl_get_physinfo failed.\n', code: 1 };
    case 'xentop': return { stderr: 'Failed to retrieve statistics from libxenstat\n', code: 1 };
    case 'ip': return { stderr: 'RTNETLINK answers: Operation not permitted\n', code: 2 };
    case 'trigger': return { stderr: `libxl: error: libxl_domain.c:2207:libxl_send_trigger: ${D}Send trigger '${args.filter((a) => !a.startsWith('-'))[1] ?? ''}' failed: Operation not permitted\n`, code: 0 };
    default:
      return { stderr: `libxl: error: libxl.c:0:${cmd}: operation failed\n`, code: 1 };
  }
}
