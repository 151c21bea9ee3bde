/** Virtual networks: everything public (docs/networks.md). */
export * from './types.js';
export { NetworkManager, type NetworkLoadReport, type UplinkSummary } from './manager.js';
export type { NetworkStateChange, NetworkStateOptions } from './launch.js';
export { type BandwidthChange, PRIORITY_LIMIT as NETWORK_PRIORITY_LIMIT } from './structure.js';
export { UPLINK_OVERHEAD, advertisedUplink } from './uplink.js';
export { MAX_BITS_PER_SECOND } from './plan.js';
export { checkName as checkNetworkName, checkSwitchName, linkSwitchName, SWITCH_NAME_MAX_BYTES } from './names.js';
