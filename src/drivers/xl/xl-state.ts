/** xl's view of a domain → the model's state (the state letters of `xl list`, and the --incoming / --migratedaway names of a migration). */
import type { SystemState } from '../../virt/states.js';
import type { DomainView } from './picture.js';

export function isTransientName(name: string): boolean {
  return /--(incoming|migratedaway)$/.test(name);
}

export function stateOfDomain(view: DomainView): SystemState {
  const { flags, name } = view.row;
  if (isTransientName(name)) return 'migrating';
  if (flags.dying) return 'stopping';
  if (flags.shutdown) {
    switch (flags.shutdownReason) {
      case 'crash':
      case 'watchdog':
        return 'crashed';
      case 'reboot':
      case 'soft_reset':
        return 'rebooting';
      case 'suspend':
        return 'suspending';
      default:
        return 'shutting_down';
    }
  }
  if (flags.paused) return 'paused';
  return 'running';
}
