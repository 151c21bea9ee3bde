/** Reads the captured xl samples copied into test/data/xl-driver (repo stays self-contained). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/test/drivers/xl → repo root is four levels up
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const SAMPLE_DIR = join(ROOT, 'test', 'data', 'xl-driver');
export const REPO_ROOT = ROOT;

export function sample(name: string): string {
  return readFileSync(join(SAMPLE_DIR, name), 'utf8');
}
