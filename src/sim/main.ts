// bin/xl-sim: the `xl` command line in front of a simulated Xen host, as a process. The
// options come from the environment (XL_SIM_STATE, XL_SIM_HOSTS) and the name it was invoked
// as; the output goes to fds 1 and 2 as the command writes it. The command code is run-xl.ts's,
// shared with the in-process entry.
import { writeAll } from './io.js';
import { execute } from './run-xl.js';
import { stateDirFromEnv } from './store.js';

// A hang fault waits for nothing the event loop knows of: stay alive until killed, like xl.
const keepAlive = setInterval(() => {}, 2 ** 30);

execute(process.argv.slice(2), {
  stateDir: stateDirFromEnv(),
  ...(process.env.XL_SIM_HOSTS ? { hostsFile: process.env.XL_SIM_HOSTS } : {}),
  cwd: process.cwd(),
  sole: true,
  ...(process.argv[1] ? { invokedAs: process.argv[1] } : {}),
}, (fd, text) => writeAll(fd, text)).then((code) => {
  clearInterval(keepAlive);
  process.exitCode = code ?? 1;
});
