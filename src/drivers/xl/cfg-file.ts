/**
 * The xl configuration file a create or restore reads: written from the definition right before
 * each use, once its paths pass the allow-list (paths.ts). Replaced by rename, so xl never reads
 * it torn; not fsynced, since nothing reads it after a crash before it is written again from
 * the stored definition (an fsync per router made a whole network's launch wait on the disk).
 */
import { join } from 'node:path';
import type { VirtualSystemConfig } from '../../virt/types.js';
import { writeFileAtomic } from './atomic-file.js';
import { writeCfg } from './cfg-writer.js';
import type { XlCore } from './core.js';
import { checkPaths } from './paths.js';
import { validName } from './validate.js';

/** Writes `<data>/cfg/<name>.cfg` for `config` and returns its path. */
export async function placeCfg(core: XlCore, config: VirtualSystemConfig): Promise<string> {
  await checkPaths(core.paths, config.boot, config.disks);
  const path = join(core.cfgDir, `${validName(config.name)}.cfg`);
  await writeFileAtomic(path, writeCfg(config), { durable: false });
  return path;
}
