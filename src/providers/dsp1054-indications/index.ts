/**
 * DSP1054 Indications: the indication service of this server and the subscriptions clients make
 * with the intrinsic instance operations in the interop namespace (DSP1054 §7: a filter, a
 * listener destination, and a subscription joining them). Each record is owned by the user who
 * created it (SubscriptionStore.checkOwner).
 */
import {
  CimDateTime, type CimInstance, type CimInstanceName, type CimValue, CimInstanceName as Name, cimError, valuesEqual,
} from '../../cim/index.js';
import type { ProviderContext } from '../../operations/provider.js';
import { build } from '../shared/build.js';
import { INTEROP_NS, VIRT_NS } from '../shared/naming.js';
import { type ProfileProviders, profileProvider } from '../shared/provider.js';
import type { ProviderDeps } from '../shared/deps.js';
import { type LifecycleOptions, type Send, watchLifecycle } from './lifecycle.js';
import { FilterMatcher, watchesVirt } from './filters.js';
import { checkDestination, withoutCredentials } from './destination.js';
import {
  MAX_ACTIVE_SUBSCRIPTIONS, MAX_FILTERS, MAX_LISTENER_DESTINATIONS, MAX_PER_USER, REMOVAL_ACTION, SUBSCRIPTION_REMOVAL_ACTION, serviceClasses,
} from './service.js';
import { type ScopedKeys, SubscriptionStore, expired, timeRemainingS } from './store.js';

export { type LifecycleOptions, type Send } from './lifecycle.js';
export { ELEMENT_SOURCES, type ElementSource } from './sources.js';
export { thresholdMetrics } from './thresholds.js';
export { FilterMatcher } from './filters.js';
export { onServerHost, withoutCredentials } from './destination.js';
export {
  CAPABILITIES_CLASS, REMOVAL_ACTION, DELIVERY_RETRY_ATTEMPTS, DELIVERY_RETRY_INTERVAL_S, MAX_ACTIVE_SUBSCRIPTIONS, MAX_LISTENER_DESTINATIONS, MAX_PER_USER,
  SERVICE_CLASS, SUBSCRIPTION_REMOVAL_ACTION, SUBSCRIPTION_REMOVAL_TIME_INTERVAL_S,
} from './service.js';

export const FILTER_CLASS = 'CIM_IndicationFilter';
export const DESTINATION_CLASS = 'CIM_ListenerDestinationCIMXML';
export const SUBSCRIPTION_CLASS = 'CIM_IndicationSubscription';
export { SubscriptionStore, type FilterRecord, type DestinationRecord, type SubscriptionRecord } from './store.js';

function text(inst: CimInstance, prop: string): string | undefined {
  const v = inst.get(prop);
  return v === null || v === undefined ? undefined : String(v);
}

/**
 * The longest values kept: the keys' MaxLen (CIM schema), and bounds of our own for the rest, as
 * every record is held in memory and the whole set is rewritten at each change.
 */
const MAX_LENGTH: Record<string, number> = { Name: 256, CreationClassName: 256, Query: 65_536, Destination: 4096, SourceNamespace: 256 };
const MAX_SOURCE_NAMESPACES = 16;

function bounded(inst: CimInstance, prop: string, v: string): string {
  const max = MAX_LENGTH[prop];
  if (max !== undefined && v.length > max) throw cimError('INVALID_PARAMETER', `${inst.className}.${prop} is longer than ${max} characters`);
  return v;
}

function required(inst: CimInstance, prop: string): string {
  const v = text(inst, prop);
  if (v === undefined || v === '') throw cimError('INVALID_PARAMETER', `${inst.className}.${prop} is required`);
  return bounded(inst, prop, v);
}

/**
 * The keys of a new record: the system keys are always this server's, whatever the client gave.
 * CreationClassName is "the class used in the creation of an instance" (CIM_IndicationFilter,
 * CIM_ListenerDestination): another value made CreateInstance answer a path of a class that does
 * not hold the record, on which GetInstance and DeleteInstance fail.
 */
function scopedKeys(inst: CimInstance, host: string, className: string): ScopedKeys {
  const given = text(inst, 'CreationClassName');
  if (given && given.toLowerCase() !== className.toLowerCase()) {
    throw cimError('INVALID_PARAMETER', `${className}.CreationClassName must be ${className}, not ${given.slice(0, 256)}`);
  }
  return {
    SystemCreationClassName: 'CIM_ComputerSystem',
    SystemName: host,
    CreationClassName: className,
    Name: required(inst, 'Name'),
  };
}

/** A user who is not an administrator keeps at most MAX_PER_USER records of each kind (service.ts). */
function checkQuota(principal: ProviderContext['principal'], records: Iterable<{ owner: string }>, what: string): void {
  if (principal.role === 'admin') return;
  let n = 0;
  for (const r of records) if (r.owner === principal.name) n++;
  if (n >= MAX_PER_USER) throw cimError('FAILED', `user '${principal.name}' already has ${n} ${what}: a user who is not an administrator keeps at most ${MAX_PER_USER}`);
}

function scopedName(k: ScopedKeys): CimInstanceName {
  return Name.of(k.CreationClassName, { ...k });
}

/** The store's id of the subscription a CIM_IndicationSubscription path names ('' when it names none). */
function subscriptionIdOf(name: CimInstanceName): string {
  const f = name.key('Filter');
  const h = name.key('Handler');
  const fk = f instanceof Name ? keysOfName(f) : undefined;
  const hk = h instanceof Name ? keysOfName(h) : undefined;
  return fk && hk ? SubscriptionStore.subscriptionId(SubscriptionStore.id(fk), SubscriptionStore.id(hk)) : '';
}

function keysOfName(name: CimInstanceName): ScopedKeys | undefined {
  const k = (p: string): string => String(name.key(p) ?? '');
  const keys = { SystemCreationClassName: k('SystemCreationClassName'), SystemName: k('SystemName'), CreationClassName: k('CreationClassName') || name.className, Name: k('Name') };
  return keys.Name ? keys : undefined;
}

const stores = new WeakMap<ProviderDeps, SubscriptionStore>();

/** The one subscription store of a server (its providers and its indication delivery share it). */
export function subscriptionsOf(deps: ProviderDeps): SubscriptionStore {
  let s = stores.get(deps);
  // Changes made behind the server's back are looked for promptly only while an enabled
  // subscription waits for them (HypervisorDriver.watchChanges).
  if (!s) stores.set(deps, (s = new SubscriptionStore(deps.indicationStore, deps.log, (st) => deps.virt.watchChanges(st.hasEnabled()))));
  return s;
}

const matchers = new WeakMap<ProviderDeps, FilterMatcher>();

/** The compiled filters of a server (its providers and its lifecycle indications share them). */
function matcherOf(deps: ProviderDeps): FilterMatcher {
  let m = matchers.get(deps);
  if (!m) matchers.set(deps, (m = new FilterMatcher(deps.repository, deps.log)));
  return m;
}

/** Start matching the model's events against the subscriptions (loaded first); answers the stop function. */
export async function startLifecycleIndications(deps: ProviderDeps, send: Send, opts: LifecycleOptions = {}): Promise<() => void> {
  const store = subscriptionsOf(deps);
  await store.load();
  return watchLifecycle(deps, store, matcherOf(deps), send, opts);
}

/**
 * DSP1054 §7.5: a listener destination that kept failing (every delivery given up after its
 * retries) for SubscriptionRemovalTimeInterval gets the service's SubscriptionRemovalAction on
 * its enabled subscriptions — disabled (SubscriptionState 4) or removed — logged; Ignore keeps them.
 */
export async function listenerUnreachable(deps: ProviderDeps, destinationId: string, action = SUBSCRIPTION_REMOVAL_ACTION): Promise<void> {
  const store = subscriptionsOf(deps);
  await store.load();
  const d = store.destinations.get(destinationId);
  const hit = [...store.subscriptions].filter(([, s]) => s.handler === destinationId && s.state === 2);
  if (!d || hit.length === 0 || action === REMOVAL_ACTION.ignore) return;
  const now = Date.now();
  await store.change(() => {
    for (const [id, s] of hit) {
      if (action === REMOVAL_ACTION.remove) store.subscriptions.delete(id);
      else store.subscriptions.set(id, { ...s, state: 4, stateChangedAt: now });
    }
  });
  const what = action === REMOVAL_ACTION.remove ? 'removed' : 'disabled';
  for (const [, s] of hit) {
    const f = store.filters.get(s.filter);
    deps.log(`indication listener ${d.keys.Name} (${withoutCredentials(d.destination)}) unreachable past the retry policy: subscription of filter ${f?.keys.Name ?? s.filter} ${what} (SubscriptionRemovalAction)`);
  }
}

export const indications: ProfileProviders = (deps) => {
  const store = subscriptionsOf(deps);
  const matcher = matcherOf(deps);
  const host = deps.hostName;
  const ready = async (): Promise<SubscriptionStore> => {
    await store.load();
    // A removal whose write fails is logged (and tried again at the next request or sweep): it
    // must not fail the request, and the expired subscription is not listed meanwhile.
    await store.removeExpired().catch(() => {});
    return store;
  };

  const filterInstance = (ctx: ProviderContext, id: string): CimInstance => {
    const f = store.filters.get(id)!;
    return build(ctx, FILTER_CLASS, {
      ...f.keys, Query: f.query, QueryLanguage: f.queryLanguage,
      SourceNamespaces: f.sourceNamespaces, SourceNamespace: f.sourceNamespaces[0] ?? null, IndividualSubscriptionSupported: true,
    } as Record<string, CimValue>);
  };
  const destinationInstance = (ctx: ProviderContext, id: string): CimInstance => {
    const d = store.destinations.get(id)!;
    return build(ctx, DESTINATION_CLASS, { ...d.keys, Destination: d.destination, Protocol: 2, PersistenceType: 2 } as Record<string, CimValue>);
  };
  const subscriptionInstance = (ctx: ProviderContext, id: string): CimInstance => {
    const s = store.subscriptions.get(id)!;
    return build(ctx, SUBSCRIPTION_CLASS, {
      // With their namespace, as clients name the filter and destination they created
      // (LOCALINSTANCEPATH, DSP0201): a client matches its subscriptions to them by path.
      Filter: scopedName(store.filters.get(s.filter)!.keys).withNamespace(INTEROP_NS),
      Handler: scopedName(store.destinations.get(s.handler)!.keys).withNamespace(INTEROP_NS),
      SubscriptionState: s.state, OnFatalErrorPolicy: 2, RepeatNotificationPolicy: 2,
      SubscriptionStartTime: s.startedAt !== undefined ? CimDateTime.fromDate(new Date(s.startedAt)) : null,
      TimeOfLastStateChange: s.stateChangedAt !== undefined ? CimDateTime.fromDate(new Date(s.stateChangedAt)) : null,
      SubscriptionDuration: s.durationS ?? null,
      SubscriptionTimeRemaining: timeRemainingS(s) ?? null,
    });
  };
  const refId = (inst: CimInstance, prop: string): string => {
    const v = inst.get(prop);
    const keys = v instanceof Name ? keysOfName(v) : undefined;
    if (!keys) throw cimError('INVALID_PARAMETER', `${SUBSCRIPTION_CLASS}.${prop} must reference an existing instance`);
    return SubscriptionStore.id(keys);
  };

  return [{
    namespace: INTEROP_NS,
    provider: profileProvider({
      classes: {
        ...serviceClasses(host),
        [FILTER_CLASS]: {
          writeRole: 'reader',
          list: async (ctx) => [...(await ready()).filters.keys()].map((id) => filterInstance(ctx, id)),
          create: async (ctx, inst) => {
            await ready();
            const keys = scopedKeys(inst, host, FILTER_CLASS);
            const id = SubscriptionStore.id(keys);
            if (store.filters.has(id)) throw cimError('ALREADY_EXISTS', `filter ${keys.Name} exists`);
            if (store.filters.size >= MAX_FILTERS) throw cimError('FAILED', `the indication service accepts at most ${MAX_FILTERS} filters`);
            checkQuota(ctx.principal, store.filters.values(), 'filters');
            const queryLanguage = required(inst, 'QueryLanguage');
            const query = required(inst, 'Query');
            // DSP1054 §7.2: the whole query is checked now; a filter that cannot be evaluated is refused.
            const fromClass = matcher.compile(queryLanguage, query).from;
            const ns = inst.get('SourceNamespaces');
            const sourceNamespaces = Array.isArray(ns) ? ns.map(String) : text(inst, 'SourceNamespace') ? [text(inst, 'SourceNamespace')!] : ['root/virt'];
            if (sourceNamespaces.length > MAX_SOURCE_NAMESPACES) throw cimError('INVALID_PARAMETER', `${FILTER_CLASS}.SourceNamespaces has more than ${MAX_SOURCE_NAMESPACES} entries`);
            for (const n of sourceNamespaces) bounded(inst, 'SourceNamespace', n);
            // A filter that could never select anything is refused rather than kept silent.
            if (!watchesVirt({ sourceNamespaces })) {
              throw cimError('INVALID_PARAMETER', `SourceNamespaces ${sourceNamespaces.join(', ')}: every indication of this server originates in ${VIRT_NS}`);
            }
            await store.change(() => store.filters.set(id, { keys, query, queryLanguage, sourceNamespaces, fromClass, owner: ctx.principal.name }));
            return scopedName(keys);
          },
          delete: async (ctx, name) => {
            await ready();
            const id = SubscriptionStore.id(keysOfName(name)!);
            const f = store.filters.get(id);
            if (!f) throw cimError('NOT_FOUND', `no filter ${name.toString()}`);
            SubscriptionStore.checkOwner(ctx.principal, f.owner, `filter ${f.keys.Name}`);
            if ([...store.subscriptions.values()].some((s) => s.filter === id)) throw cimError('FAILED', `filter ${f.keys.Name} is used by a subscription: delete the subscription first`);
            await store.change(() => store.filters.delete(id));
            matcher.forget(id);
          },
        },
        [DESTINATION_CLASS]: {
          writeRole: 'reader',
          list: async (ctx) => [...(await ready()).destinations.keys()].map((id) => destinationInstance(ctx, id)),
          create: async (ctx, inst) => {
            await ready();
            const keys = scopedKeys(inst, host, DESTINATION_CLASS);
            const id = SubscriptionStore.id(keys);
            if (store.destinations.has(id)) throw cimError('ALREADY_EXISTS', `listener destination ${keys.Name} exists`);
            if (store.destinations.size >= MAX_LISTENER_DESTINATIONS) throw cimError('FAILED', `the indication service accepts at most ${MAX_LISTENER_DESTINATIONS} listener destinations (MaxListenerDestinations)`);
            checkQuota(ctx.principal, store.destinations.values(), 'listener destinations');
            const destination = required(inst, 'Destination');
            checkDestination(destination, ctx.principal);
            const confined = ctx.principal.role !== 'admin';
            await store.change(() => store.destinations.set(id, { keys, destination, owner: ctx.principal.name, createdAt: Date.now(), ...(confined ? { confined } : {}) }));
            return scopedName(keys);
          },
          delete: async (ctx, name) => {
            await ready();
            const id = SubscriptionStore.id(keysOfName(name)!);
            const d = store.destinations.get(id);
            if (!d) throw cimError('NOT_FOUND', `no listener destination ${name.toString()}`);
            SubscriptionStore.checkOwner(ctx.principal, d.owner, `listener destination ${d.keys.Name}`);
            if ([...store.subscriptions.values()].some((s) => s.handler === id)) throw cimError('FAILED', `listener destination ${d.keys.Name} is used by a subscription: delete the subscription first`);
            await store.change(() => store.destinations.delete(id));
          },
        },
        [SUBSCRIPTION_CLASS]: {
          writeRole: 'reader',
          list: async (ctx) => [...(await ready()).subscriptions].filter(([, s]) => !expired(s)).map(([id]) => subscriptionInstance(ctx, id)),
          create: async (ctx, inst) => {
            await ready();
            const filter = refId(inst, 'Filter');
            const handler = refId(inst, 'Handler');
            if (!store.filters.has(filter)) throw cimError('INVALID_PARAMETER', 'Filter references no existing filter');
            if (!store.destinations.has(handler)) throw cimError('INVALID_PARAMETER', 'Handler references no existing listener destination');
            // Only one's own filter and destination: another user's subscription would send them
            // indications they did not ask for, and pin records their owner could then not delete.
            SubscriptionStore.checkOwner(ctx.principal, store.filters.get(filter)!.owner, `filter ${store.filters.get(filter)!.keys.Name}`);
            SubscriptionStore.checkOwner(ctx.principal, store.destinations.get(handler)!.owner, `listener destination ${store.destinations.get(handler)!.keys.Name}`);
            const id = SubscriptionStore.subscriptionId(filter, handler);
            if (store.subscriptions.has(id)) throw cimError('ALREADY_EXISTS', 'this filter and handler are already subscribed');
            if (store.subscriptions.size >= MAX_ACTIVE_SUBSCRIPTIONS) throw cimError('FAILED', `the indication service accepts at most ${MAX_ACTIVE_SUBSCRIPTIONS} subscriptions (MaxActiveSubscriptions)`);
            checkQuota(ctx.principal, store.subscriptions.values(), 'subscriptions');
            const state = Number(inst.get('SubscriptionState') ?? 2);
            if (state !== 2 && state !== 4) throw cimError('INVALID_PARAMETER', `SubscriptionState must be 2 (Enabled) or 4 (Disabled), not ${state}`);
            const duration = inst.get('SubscriptionDuration');
            const durationS = duration === null || duration === undefined ? undefined : Number(duration);
            if (durationS !== undefined && !(Number.isSafeInteger(durationS) && durationS > 0)) {
              throw cimError('INVALID_PARAMETER', `SubscriptionDuration must be a number of seconds above 0, not ${String(duration)}`);
            }
            const now = Date.now();
            await store.change(() => store.subscriptions.set(id, {
              filter, handler, state, owner: ctx.principal.name, startedAt: now, stateChangedAt: now, ...(durationS !== undefined ? { durationS } : {}),
            }));
            return subscriptionInstance(ctx, id).path!;
          },
          /**
           * DSP1054: a client may change SubscriptionState (2 Enabled, 4 Disabled: e.g. enable again
           * a subscription the removal action disabled) and SubscriptionDuration (counted from
           * SubscriptionStartTime); any other property given with another value is refused.
           */
          modify: async (ctx, inst, propertyList) => {
            await ready();
            const id = subscriptionIdOf(inst.path!);
            const s = store.subscriptions.get(id);
            if (!s) throw cimError('NOT_FOUND', `no subscription ${inst.path!.toString()}`);
            SubscriptionStore.checkOwner(ctx.principal, s.owner, 'the subscription');
            const current = subscriptionInstance(ctx, id);
            const given = (n: string): boolean => (propertyList ? propertyList.has(n) : inst.properties.has(n));
            const fixed = (propertyList ? [...propertyList] : inst.properties.names())
              .filter((n) => !/^(Filter|Handler|SubscriptionState|SubscriptionDuration|SubscriptionTimeRemaining)$/i.test(n))
              .filter((n) => !valuesEqual(inst.get(n) ?? null, current.get(n) ?? null));
            if (fixed.length > 0) throw cimError('NOT_SUPPORTED', `only SubscriptionState and SubscriptionDuration of a subscription can be modified, not ${fixed.join(', ')}`);
            const next = { ...s };
            if (given('SubscriptionState')) {
              const state = Number(inst.get('SubscriptionState'));
              if (state !== 2 && state !== 4) throw cimError('INVALID_PARAMETER', `SubscriptionState must be 2 (Enabled) or 4 (Disabled), not ${String(inst.get('SubscriptionState'))}`);
              if (state !== s.state) Object.assign(next, { state, stateChangedAt: Date.now() });
            }
            if (given('SubscriptionDuration')) {
              const d = inst.get('SubscriptionDuration');
              if (d === null || d === undefined) delete next.durationS;
              else if (Number.isSafeInteger(Number(d)) && Number(d) > 0) next.durationS = Number(d);
              else throw cimError('INVALID_PARAMETER', `SubscriptionDuration must be a number of seconds above 0, not ${String(d)}`);
            }
            await store.change(() => store.subscriptions.set(id, next));
          },
          delete: async (ctx, name) => {
            await ready();
            const id = subscriptionIdOf(name);
            const s = store.subscriptions.get(id);
            if (!s) throw cimError('NOT_FOUND', `no subscription ${name.toString()}`);
            SubscriptionStore.checkOwner(ctx.principal, s.owner, 'the subscription');
            await store.change(() => store.subscriptions.delete(id));
          },
        },
      },
    }),
  }];
};
