/**
 * The indication service of this server (DSP1054 §7.5, CIM_IndicationService) and its
 * capabilities (CIM_IndicationServiceCapabilities with CIM_ElementCapabilities): the delivery
 * retry policy, what happens to the subscriptions of a listener that stays unreachable, and the
 * limits CreateInstance enforces. Every figure is the one the server applies; none is settable
 * by a client (the service takes no ModifyInstance), and the capabilities say so.
 */
import { type CimInstance, CimInstanceName, type CimValue } from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import { build } from '../shared/build.js';
import type { ClassSource } from '../shared/provider.js';

export const SERVICE_CLASS = 'CIM_IndicationService';
export const CAPABILITIES_CLASS = 'CIM_IndicationServiceCapabilities';
export const ELEMENT_CAPABILITIES_CLASS = 'CIM_ElementCapabilities';
const SERVICE_NAME = 'IndicationService';

/** DSP1054 §7.6: retries after the first failed attempt, and the wait between attempts (seconds). */
export const DELIVERY_RETRY_ATTEMPTS = 3;
export const DELIVERY_RETRY_INTERVAL_S = 20;
/** CIM_IndicationService.SubscriptionRemovalAction values. */
export const REMOVAL_ACTION = { remove: 2, disable: 3, ignore: 4 } as const;
/** What befalls the subscriptions of a listener destination unreachable for SUBSCRIPTION_REMOVAL_TIME_INTERVAL_S. */
export const SUBSCRIPTION_REMOVAL_ACTION: number = REMOVAL_ACTION.disable;
/**
 * How long (seconds) a listener destination must keep failing — every delivery given up after
 * its retries — before SubscriptionRemovalAction applies to its subscriptions.
 */
export const SUBSCRIPTION_REMOVAL_TIME_INTERVAL_S = 86_400;
/** The limits CreateInstance enforces (CIM_IndicationServiceCapabilities). */
export const MAX_LISTENER_DESTINATIONS = 1000;
export const MAX_ACTIVE_SUBSCRIPTIONS = 1000;
/** Filters have no capability property; they are bounded all the same (each is stored and compiled). */
export const MAX_FILTERS = 1000;
/**
 * What one user who is not an administrator may hold of each (filters, listener destinations,
 * subscriptions): the limits above are the whole service's, and one reader could otherwise take
 * all of them, leaving every other user, administrators too, unable to subscribe.
 */
export const MAX_PER_USER = 100;

export function serviceName(host: string): CimInstanceName {
  return CimInstanceName.of(SERVICE_CLASS, { CreationClassName: SERVICE_CLASS, Name: SERVICE_NAME, SystemCreationClassName: 'Xen_HostSystem', SystemName: host });
}

function serviceInstance(ctx: ProviderContext, host: string): CimInstance {
  return build(ctx, SERVICE_CLASS, {
    CreationClassName: SERVICE_CLASS, Name: SERVICE_NAME, SystemCreationClassName: 'Xen_HostSystem', SystemName: host,
    ElementName: 'Indication Service', EnabledState: 2, OperationalStatus: [2], HealthState: 5,
    FilterCreationEnabled: true, DeliveryRetryAttempts: DELIVERY_RETRY_ATTEMPTS, DeliveryRetryInterval: DELIVERY_RETRY_INTERVAL_S,
    SubscriptionRemovalAction: SUBSCRIPTION_REMOVAL_ACTION, SubscriptionRemovalTimeInterval: SUBSCRIPTION_REMOVAL_TIME_INTERVAL_S,
  });
}

function capabilitiesInstance(ctx: ProviderContext, host: string): CimInstance {
  return build(ctx, CAPABILITIES_CLASS, {
    InstanceID: `Xen:IndicationServiceCapabilities:${host}`, ElementName: 'Indication Service Capabilities',
    FilterCreationEnabledIsSettable: false, DeliveryRetryAttemptsIsSettable: false, DeliveryRetryIntervalIsSettable: false,
    SubscriptionRemovalActionIsSettable: false, SubscriptionRemovalTimeIntervalIsSettable: false,
    MaxListenerDestinations: MAX_LISTENER_DESTINATIONS, MaxActiveSubscriptions: MAX_ACTIVE_SUBSCRIPTIONS, SubscriptionsPersisted: true,
  } satisfies Record<string, CimValue>);
}

/** The service, its capabilities and the association between them. */
export function serviceClasses(host: string): Record<string, ClassSource> {
  const link = (ctx: ProviderContext): CimInstance => build(ctx, ELEMENT_CAPABILITIES_CLASS, {
    ManagedElement: serviceName(host), Capabilities: capabilitiesInstance(ctx, host).path!, Characteristics: [2, 3],
  });
  return {
    [SERVICE_CLASS]: { list: async (ctx) => [serviceInstance(ctx, host)] },
    [CAPABILITIES_CLASS]: { list: async (ctx) => [capabilitiesInstance(ctx, host)] },
    [ELEMENT_CAPABILITIES_CLASS]: { list: async (ctx) => [link(ctx)] },
  };
}
