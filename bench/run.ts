/**
 * `npm run bench`: prints every benchmark's figures (no pass/fail). Run one section with
 * `npm run bench -- http|cimxml|driver|providers|auth|stream|migration`.
 */
import { runHttpBench } from './http.bench.js';
import { runCimxmlBench } from './cimxml.bench.js';
import { runDriverBench } from './driver.bench.js';
import { runProvidersBench } from './providers.bench.js';
import { runAuthBench } from './auth.bench.js';
import { runStreamBench } from './stream.bench.js';
import { runMigrationBench } from './migration.bench.js';

const sections: Record<string, (report: (line: string) => void) => void | Promise<void>> = {
  cimxml: runCimxmlBench,
  http: runHttpBench,
  driver: runDriverBench,
  providers: runProvidersBench,
  auth: runAuthBench,
  stream: runStreamBench,
  migration: runMigrationBench,
};

const only = process.argv.slice(2);
for (const [name, run] of Object.entries(sections)) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n== ${name}`);
  await run((line) => console.log(line));
}
