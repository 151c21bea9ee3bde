/**
 * The streaming benchmark's server process: the test provider with `argv[2]` Test_Bulk
 * instances (about 1.8 KB each on the wire). IPC: 'sample' collects garbage (the process runs
 * with --expose-gc) and starts sampling RSS every 5 ms,
 * 'peak' answers { baseKiB, peakKiB } since the last 'sample'; 'stop' closes.
 */
import { startTestServer } from '../test/support/test-server.js';

const srv = await startTestServer({ bulk: Number(process.argv[2] ?? 28000) });
let base = 0;
let peak = 0;
let timer: NodeJS.Timeout | undefined;
process.send!({ port: srv.port });
process.on('disconnect', () => process.exit(0)); // the bench died: do not outlive it
process.on('message', async (m) => {
  if (m === 'sample') {
    clearInterval(timer);
    // A collected heap first, so the peak over it is what one enumeration costs.
    (globalThis as { gc?: () => void }).gc?.();
    base = peak = process.memoryUsage.rss();
    timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 5);
  }
  if (m === 'peak') {
    clearInterval(timer);
    process.send!({ baseKiB: base / 1024, peakKiB: Math.max(peak, process.memoryUsage.rss()) / 1024 });
  }
  if (m === 'stop') {
    clearInterval(timer);
    await srv.close();
    process.exit(0);
  }
});
