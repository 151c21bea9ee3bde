/**
 * The failed-login benchmark's server process (forked by auth.bench.ts): the test provider
 * behind Basic auth with one user, default throttling. 'stop' closes it.
 */
import { startTestServer } from '../test/support/test-server.js';

const srv = await startTestServer({ users: [{ name: 'admin', password: 'right-password', role: 'admin' }] });
process.send!({ port: srv.port });
process.on('disconnect', () => process.exit(0)); // the bench died: do not outlive it
process.on('message', async (m) => {
  if (m === 'stop') {
    await srv.close();
    process.exit(0);
  }
});
