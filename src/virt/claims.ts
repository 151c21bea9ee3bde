/**
 * Identities being given out: the MACs and UUIDs a define or a NIC addition is giving a system
 * while it runs. Their checks ("no other system has it") read the definitions, and each change
 * holds only its own system's lock, so two concurrent changes of two systems could each find a
 * MAC free and both take it (two guests with one MAC break each other's network; two
 * definitions with one UUID confuse every lookup by UUID). A change claims what it gives before
 * it reads the definitions, synchronously (no await in between), and releases it once the
 * definitions show it or the change failed: a second change asking for the same identity
 * meanwhile is refused (conflict), and one that comes after reads the definitions that show it.
 */
import { VirtError } from './errors.js';
import { once } from './lock.js';

export interface Claim {
  system: string;
  /** What is claimed, as a message names it: "MAC 00:16:3e:…", "UUID …". */
  id: string;
}

export class IdentityClaims {
  /** Identity → the system a change under way is giving it to. */
  private readonly held = new Map<string, string>();

  /**
   * Claims every identity for its system, or throws conflict (claiming nothing) when a change
   * under way gives one of them to another system, or the list gives one to two systems.
   * Returns the release (idempotent).
   */
  claim(claims: readonly Claim[]): () => void {
    const wanted = new Map<string, string>();
    for (const c of claims) {
      const holder = this.held.get(c.id);
      if (holder !== undefined) throw new VirtError('conflict', `${c.id} is already being given to '${holder}' by a change under way`);
      const twice = wanted.get(c.id);
      if (twice !== undefined && twice !== c.system) throw new VirtError('conflict', `${c.id} cannot be given to both '${twice}' and '${c.system}'`);
      wanted.set(c.id, c.system);
    }
    for (const [id, system] of wanted) this.held.set(id, system);
    return once(() => {
      for (const [id, system] of wanted) if (this.held.get(id) === system) this.held.delete(id);
    });
  }

  /** Identities claimed now (tests, diagnostics). */
  get size(): number {
    return this.held.size;
  }
}

export const macClaim = (system: string, mac: string): Claim => ({ system, id: `MAC ${mac.toLowerCase()}` });
export const uuidClaim = (system: string, uuid: string): Claim => ({ system, id: `UUID ${uuid.toLowerCase()}` });
