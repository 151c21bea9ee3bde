/** Snapshots of virtual systems: the tree, its store, the operations and their recovery. */
export * from './types.js';
export type { SnapshotDriver, CaptureOptions, RestoreOptions } from './snapshot-driver.js';
export { SnapshotService, tagOf } from './service.js';
export { recoverSnapshots, type SnapshotRecovery } from './recover.js';
export { SnapshotStore } from './store.js';
export { sizeText } from './progress.js';
