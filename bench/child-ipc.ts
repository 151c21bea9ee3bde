/** The benchmarks' servers run in child processes; they answer IPC messages. */
import type { ChildProcess } from 'node:child_process';

/** The child's next message (after sending `message`, if any); rejects if it exits first. */
export function ask<T>(child: ChildProcess, message?: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`bench server exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as T);
    });
    if (message) child.send(message);
  });
}
