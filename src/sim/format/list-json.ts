// `xl list -l` (tools/xl/xl_info.c list_domains_details; samples in test/data/xl-samples): a JSON array of
// {"domid", "config"} with the retrieved live config, pretty-printed like yajl, "]\n\n" at the end.
import type { Domain, HostState } from '../host-state.js';
import { liveConfig } from '../domain-factory.js';
import { orderConfig } from '../config-order.js';
import { yajl } from '../json-yajl.js';

export function listJson(s: HostState, doms: Domain[]): string {
  const arr = doms.map((d) => ({ domid: d.domid, config: orderConfig(liveConfig(s, d)) }));
  return yajl(arr) + '\n\n';
}
