/**
 * The kill -9 tests' writer: a Node child process that writes in a loop until killed. It is
 * started, waited for until its first line on stdout (it has written once), then killed with
 * SIGKILL `afterMs` later. Resolves with the complete lines it printed.
 */
import { spawn } from 'node:child_process';

export async function killWriterAfter(script: string, args: readonly string[], afterMs: number): Promise<string[]> {
  const proc = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let partial = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (text: string) => {
    const parts = (partial + text).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  await new Promise<void>((resolve, reject) => {
    proc.stdout.once('data', () => resolve());
    proc.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
  });
  await new Promise((r) => setTimeout(r, afterMs));
  proc.kill('SIGKILL');
  await new Promise((r) => proc.once('exit', r));
  return lines;
}
