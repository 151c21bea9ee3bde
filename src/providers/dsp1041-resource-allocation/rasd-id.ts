/**
 * RASD InstanceIDs, parsed in one place. Three shapes share the four RASD classes:
 * - defined RASD `<system>/<devid>` (libvirt-cim §3.1): the definition, for the next start;
 * - state RASD `<system>/<devid>:current` (DSP1057 §7.3 state configuration, like the VSSD's
 *   `Xen:<system>:current`): what the running domain has, served while a domain exists;
 * - allocation template `<PoolID>/<Role>` (DSP1043, templates.ts), e.g. `MemoryPool/0/Default`.
 * A system name never contains '/' or ':' and a devid never contains '/' (proc, mem, a vdev, a MAC)
 * nor ends in ':current' (a MAC ends in two hex digits), so the shapes cannot be confused: a
 * system RASD ID has exactly one '/', a template two or more and ends in a role.
 */
import { parseDeviceId, rasdInstanceId } from '../shared/naming.js';

export type RasdRole = 'defined' | 'current';

export const STATE_RASD_SUFFIX = ':current';

export const TEMPLATE_ROLES = ['Default', 'Minimum', 'Maximum', 'Increment'] as const;
export type TemplateRole = (typeof TEMPLATE_ROLES)[number];

export type ParsedRasdId =
  | { kind: 'system'; system: string; devid: string; role: RasdRole }
  | { kind: 'template'; poolId: string; role: TemplateRole };

/** `<system>/<devid>` (defined) or `<system>/<devid>:current` (state). */
export function rasdId(system: string, devid: string, role: RasdRole = 'defined'): string {
  const id = rasdInstanceId(system, devid);
  return role === 'defined' ? id : `${id}${STATE_RASD_SUFFIX}`;
}

export function templateInstanceId(poolId: string, role: TemplateRole): string {
  return `${poolId}/${role}`;
}

export function parseRasdId(id: string): ParsedRasdId | undefined {
  if (typeof id !== 'string') return undefined;
  const last = id.lastIndexOf('/');
  if (last > 0 && id.indexOf('/') !== last) {
    const role = id.slice(last + 1);
    return (TEMPLATE_ROLES as readonly string[]).includes(role) ? { kind: 'template', poolId: id.slice(0, last), role: role as TemplateRole } : undefined;
  }
  const p = parseDeviceId(id);
  if (!p) return undefined;
  if (p.devid.endsWith(STATE_RASD_SUFFIX)) {
    const devid = p.devid.slice(0, -STATE_RASD_SUFFIX.length);
    return devid ? { kind: 'system', system: p.system, devid, role: 'current' } : undefined;
  }
  return { kind: 'system', system: p.system, devid: p.devid, role: 'defined' };
}

export function isTemplateInstanceId(id: string): boolean {
  return parseRasdId(id)?.kind === 'template';
}
