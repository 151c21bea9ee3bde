/**
 * The benchmark's server process (forked by http.bench.ts so the load generator does not share
 * its CPU or heap): the test provider with 1,000 Test_Bulk instances plus the product schema.
 * Answers IPC messages: 'rss' → its peak RSS in KiB; 'stop' → closes.
 */
import { startTestServer } from '../test/support/test-server.js';

const srv = await startTestServer({ bulk: 1000, realSchema: true });
process.send!({ port: srv.port });
process.on('disconnect', () => process.exit(0)); // the bench died: do not outlive it
process.on('message', async (m) => {
  if (m === 'rss') process.send!({ maxRssKiB: process.resourceUsage().maxRSS });
  if (m === 'stop') {
    await srv.close();
    process.exit(0);
  }
});
