/** The one way providers build an instance: against its class in the request's namespace. */
import { type CimInstance, type CimValue, buildInstance } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';

/** Plain property values by name; undefined and null leave the property NULL. */
export type Values = Record<string, CimValue | undefined>;

/**
 * An instance of `className` with `values` (exact schema names: an unknown property throws),
 * typed through its class in `ctx.namespace`; its path is local (no host, no namespace).
 */
export function build(ctx: Pick<ProviderContext, 'repository' | 'namespace'>, className: string, values: Values): CimInstance {
  return buildInstance(ctx.repository.requireClass(ctx.namespace, className), values);
}
