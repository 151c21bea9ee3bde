// Which module implements each xl sub-command, and which accept -N (dry run).
// docs/xl-toolstack.md §1: the 92 xl 4.17 commands; those not simulated answer help/usage only.

export const COMMAND_MODULES: Record<string, string> = {
  list: 'list', info: 'info', create: 'create', destroy: 'destroy',
  shutdown: 'shutdown', reboot: 'shutdown', pause: 'pause', unpause: 'pause',
  save: 'save', restore: 'restore', migrate: 'migrate', rename: 'rename',
  domid: 'domid', domname: 'domid', uptime: 'uptime',
  trigger: 'trigger', 'button-press': 'trigger', sysrq: 'trigger',
  'mem-set': 'mem', 'mem-max': 'mem',
  'vcpu-set': 'vcpu', 'vcpu-list': 'vcpu', 'vcpu-pin': 'vcpu',
  'sched-credit': 'sched', 'sched-credit2': 'sched',
  'network-attach': 'network', 'network-detach': 'network', 'network-list': 'network',
  'block-attach': 'block', 'block-detach': 'block', 'block-list': 'block',
  'vm-list': 'misc', claims: 'misc', sharing: 'misc', 'cpupool-list': 'misc', dmesg: 'misc',
  'config-update': 'misc',
};

/** Commands whose usage line carries "N" (cmd_spec.can_dryrun). */
export const CAN_DRYRUN = new Set(['create', 'config-update', 'cd-insert', 'cd-eject', 'vcpu-pin', 'network-attach',
  'block-attach', 'vtpm-attach', 'vkb-attach', 'vdispl-attach', 'vsnd-attach', 'cpupool-create']);

export const XL_COMMANDS = new Set(['create', 'config-update', 'list', 'destroy', 'shutdown', 'reboot', 'pci-attach',
  'pci-detach', 'pci-list', 'pci-assignable-add', 'pci-assignable-remove', 'pci-assignable-list', 'pause', 'unpause',
  'console', 'vncviewer', 'save', 'migrate', 'restore', 'migrate-receive', 'dump-core', 'cd-insert', 'cd-eject',
  'mem-max', 'mem-set', 'button-press', 'vcpu-list', 'vcpu-pin', 'vcpu-set', 'vm-list', 'info', 'sharing',
  'sched-credit', 'sched-credit2', 'sched-rtds', 'domid', 'domname', 'rename', 'trigger', 'sysrq', 'debug-keys',
  'set-parameters', 'dmesg', 'top', 'network-attach', 'network-list', 'network-detach', 'channel-list',
  'block-attach', 'block-list', 'block-detach', 'vtpm-attach', 'vtpm-list', 'vtpm-detach', 'vkb-attach', 'vkb-list',
  'vkb-detach', 'vdispl-attach', 'vdispl-list', 'vdispl-detach', 'vsnd-attach', 'vsnd-list', 'vsnd-detach', 'uptime',
  'claims', 'cpupool-create', 'cpupool-list', 'cpupool-destroy', 'cpupool-rename', 'cpupool-cpu-add',
  'cpupool-cpu-remove', 'cpupool-migrate', 'cpupool-numa-split', 'getenforce', 'setenforce', 'loadpolicy', 'remus',
  'devd', 'psr-hwinfo', 'psr-cmt-attach', 'psr-cmt-detach', 'psr-cmt-show', 'psr-cat-set', 'psr-cat-show',
  'psr-mba-set', 'psr-mba-show', 'usbctrl-attach', 'usbctrl-detach', 'usbdev-attach', 'usbdev-detach', 'usb-list',
  'qemu-monitor-command']);
