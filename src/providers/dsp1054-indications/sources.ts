/**
 * Other kinds of model elements as sources of lifecycle indications. A part of the model that
 * owns a kind of element reports its changes with `VirtManager.events.element({ element, kind,
 * name, previous, current })` (virt/events.ts); one entry here per kind turns them into
 * CIM_InstCreation, CIM_InstModification (with PreviousInstance) and CIM_InstDeletion whose
 * SourceInstance is the element's CIM instance, matched against every filter like any other.
 * A kind without an entry is not reported. To add one (docs/indications.md):
 *
 *   { element: 'switch', instance: (ctx, sw) => switchInstance(ctx, sw as VirtualSwitch) },
 */
import type { CimInstance } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import type { ProviderDeps } from '../shared/deps.js';

export interface ElementSource {
  /** ElementEvent.element this entry maps. */
  element: string;
  /** The element's CIM instance (root/virt) from the value the model reported. */
  instance(ctx: Pick<ProviderContext, 'repository' | 'namespace'>, value: unknown, deps: ProviderDeps): CimInstance;
}

/** One entry per kind of element event that becomes indications. */
export const ELEMENT_SOURCES: ElementSource[] = [];
