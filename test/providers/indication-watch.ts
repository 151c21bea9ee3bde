/**
 * What the indication tests of every profile share: the DSP1054 machinery started on a fixture
 * world, an in-process CIM-XML listener, and one subscription (filter, destination, subscription
 * created through the intrinsic operations by an administrator: only one may name a listener on
 * the server's own host, as these test listeners are) for a query.
 */
import type { CimInstance, CimInstanceName } from '../../src/cim/index.js';
import { IndicationDelivery } from '../../src/indication-delivery.js';
import type { Principal } from '../../src/operations/provider.js';
import { type ElementSource, startLifecycleIndications } from '../../src/providers/dsp1054-indications/index.js';
import { INTEROP_NS } from '../../src/providers/index.js';
import { startExportListener, type ExportListener } from '../support/export-listener.js';
import { type World, inst, req, runTo, world } from './fixture.js';

export const watcher: Principal = { name: 'watcher', role: 'admin' };

/** CreateInstance in root/interop as `who`; the new instance's name. */
export async function createAs(w: World, i: CimInstance, who: Principal = watcher): Promise<CimInstanceName> {
  const r = (await w.ops.intrinsic(req('CreateInstance', { NewInstance: i }, INTEROP_NS), who)).result;
  if (r.kind !== 'instanceName') throw new Error(r.kind);
  return r.name;
}

/** A world with one running router, `router`, whose start the model's events have already seen. */
export async function worldWithRouter(): Promise<World> {
  const w = await world();
  await w.virt.defineSystem({ name: 'router', type: 'pv', memoryMiB: 256, vcpus: 1, boot: { kernel: '/k' } });
  await runTo(w.virt, 'router', 'running');
  await w.virt.events.refresh();
  return w;
}

export interface Watch {
  listener: ExportListener;
  delivery: IndicationDelivery;
  close(): Promise<void>;
}

/** Indications of `query` (WQL) delivered to a listener of our own; close() stops it all. */
export async function watchIndications(
  w: World, query: string, opts: { sources?: ElementSource[]; retryAttempts?: number } = {},
): Promise<Watch> {
  const listener = await startExportListener();
  const delivery = new IndicationDelivery({ retryAttempts: opts.retryAttempts ?? 3, retryIntervalMs: 50 });
  const stop = await startLifecycleIndications(w.deps, (d, i) => delivery.send(d, i), opts.sources ? { sources: opts.sources } : {});
  const Filter = await createAs(w, inst('CIM_IndicationFilter', { Name: 'watch', QueryLanguage: 'WQL', Query: query }));
  const Handler = await createAs(w, inst('CIM_ListenerDestinationCIMXML', { Name: 'watch', Destination: listener.url }));
  await createAs(w, inst('CIM_IndicationSubscription', { Filter, Handler }));
  return {
    listener,
    delivery,
    async close() {
      stop();
      delivery.stop();
      await listener.close();
    },
  };
}
