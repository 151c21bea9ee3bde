/**
 * `npm run bench`: prints every benchmark's figures (no pass/fail). Run one section with
 * `npm run bench -- indications|http|cimxml|driver|providers|auth|stream|faults|networks|snapshots|migration|sfcb`.
 */
import { runIndicationsBench } from './indications.bench.js';
import { runHttpBench } from './http.bench.js';
import { runCimxmlBench } from './cimxml.bench.js';
import { runDriverBench } from './driver.bench.js';
import { runProvidersBench } from './providers.bench.js';
import { runAuthBench } from './auth.bench.js';
import { runStreamBench } from './stream.bench.js';
import { runSnapshotBench } from './snapshot.bench.js';
import { runMigrationBench } from './migration.bench.js';
import { runFaultsBench } from './faults.bench.js';
import { runNetworksBench } from './networks.bench.js';
import { runSfcbBench } from './sfcb.bench.js';

// Every process the benchmarks start (bare xl-sim calls, the servers they compare with) starts as
// the server's own xl-sim calls do (detect.ts): without Node reading the CA bundle a
// NODE_EXTRA_CA_CERTS names, which would add some 30 ms to each bare call and none to ours.
process.env['NODE_EXTRA_CA_CERTS'] = '';

const sections: Record<string, (report: (line: string) => void) => void | Promise<void>> = {
  indications: runIndicationsBench, // DSP1054 delivery (`-- indications`)
  cimxml: runCimxmlBench,
  http: runHttpBench,
  driver: runDriverBench,
  providers: runProvidersBench,
  auth: runAuthBench,
  stream: runStreamBench,
  snapshots: runSnapshotBench,
  migration: runMigrationBench,
  faults: runFaultsBench,
  networks: runNetworksBench,
  sfcb: runSfcbBench, // side by side with SFCB when SFCB_URL is set (docs/benchmarks.md)
};

const only = process.argv.slice(2);
for (const [name, run] of Object.entries(sections)) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n== ${name}`);
  await run((line) => console.log(line));
}
