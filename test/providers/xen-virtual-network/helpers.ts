/** What the network profile's tests share: the service call, an embedded link, three routers. */
import type { CimInstance, CimValue } from '../../../src/cim/index.js';
import { LINK_CLASS, networkServiceName } from '../../../src/providers/xen-virtual-network/names.js';
import { HOST, type World, inst } from '../fixture.js';

export const service = () => networkServiceName(HOST);

export async function callService(w: World, method: string, params: Record<string, CimValue>): Promise<{ returnValue: CimValue; out: Record<string, CimValue> }> {
  const r = await w.extrinsic(service(), method, Object.entries(params).map(([name, value]) => ({ name, value })));
  return { returnValue: r.returnValue, out: Object.fromEntries(r.out.map((o) => [o.name, o.value])) };
}

export function link(name: string, ends: [string, string], extra: Record<string, CimValue> = {}): CimInstance {
  return inst(LINK_CLASS, { Name: name, EndpointSystems: ends, ...extra });
}

/** Three defined routers r1, r2, r3, each with a NIC on xenbr0; nothing runs. */
export async function routers(w: World): Promise<void> {
  for (const name of ['r1', 'r2', 'r3']) await w.virt.defineSystem({ name, type: 'pv', memoryMiB: 128, vcpus: 1, nics: [{ bridge: 'xenbr0' }] });
}
