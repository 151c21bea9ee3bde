/**
 * `xen-wbem serve` as an operator runs it: start-up errors before anything is touched, one
 * server per data directory (the lock, a stale one recovered after kill -9), structured JSON
 * logs, GET /health.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../support/test-server.js';
import { serveProcess, type Serving } from '../support/serve-process.js';

const BIN = path.join(REPO_ROOT, 'bin', 'xen-wbem');

/** Starts `serve` on an ephemeral port and waits for its "serving" log entry. */
const serve = (data: string, extra: string[] = []): Promise<Serving> => serveProcess(data, extra);

function get(port: number, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('cli: xen-wbem serve', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'xen-wbem-serve-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));

  it('a missing --users file, listening beyond loopback without TLS, or a certificate that cannot be used, is a start-up error that touches nothing', async () => {
    const data = path.join(dir, 'var');
    const users = path.join(dir, 'users.json');
    writeFileSync(users, JSON.stringify({ version: 1, users: {} }));
    writeFileSync(path.join(dir, 'bad.pem'), 'not a certificate\n');
    // Independent refusals, each with its own data directory: run them at once.
    const run = (name: string, args: string[]) => execa(BIN, ['serve', '--port', '0', '--data', path.join(data, name), ...args], { reject: false, timeout: 20_000 });
    const [missing, notAFile, clear, interval, noCert, badCert, threshold] = await Promise.all([
      run('missing', ['--users', path.join(dir, 'missing.json')]),
      run('notAFile', ['--users', dir]),
      run('clear', ['--users', users, '--listen', '0.0.0.0']),
      run('interval', ['--metrics-interval', 'soon']),
      run('noCert', ['--https-port', '0', '--tls-cert', path.join(dir, 'cert.pem'), '--tls-key', path.join(dir, 'key.pem')]),
      run('badCert', ['--https-port', '0', '--tls-cert', path.join(dir, 'bad.pem'), '--tls-key', path.join(dir, 'bad.pem')]),
      run('threshold', ['--alert-threshold', 'Colour=3']),
    ]);
    expect(missing.exitCode).to.equal(1);
    expect(missing.stderr).to.contain('missing.json does not exist');
    expect(notAFile.exitCode).to.equal(1);
    expect(notAFile.stderr).to.contain(`cannot read the users file ${dir}: EISDIR`);
    expect(clear.exitCode).to.equal(1);
    expect(clear.stderr).to.contain('without TLS');
    expect(interval.exitCode).to.equal(1);
    expect(interval.stderr).to.contain('--metrics-interval must be seconds between 0 and 86400');
    expect(noCert.exitCode).to.equal(1);
    expect(noCert.stderr).to.contain(`cannot read the TLS certificate (--tls-cert) ${path.join(dir, 'cert.pem')}: ENOENT`);
    expect(badCert.exitCode).to.equal(1);
    expect(badCert.stderr).to.contain(`the TLS certificate ${path.join(dir, 'bad.pem')} and key ${path.join(dir, 'bad.pem')} (--tls-cert, --tls-key) cannot be used:`);
    expect(threshold.exitCode).to.equal(1);
    expect(threshold.stderr).to.contain('unknown metric "Colour" (known: CPUUtilization,');
    expect(existsSync(data), 'none of them made its data directory').to.equal(false);
  });

  it('a port another process holds is a start-up error that touches nothing', async () => {
    const data = path.join(dir, 'var');
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const r = await execa(BIN, ['serve', '--port', String(port), '--data', data], { reject: false, timeout: 20_000 });
      expect(r.exitCode).to.equal(1);
      expect(r.stderr).to.contain(`127.0.0.1:${port} is in use by another process`);
      expect(existsSync(data)).to.equal(false);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('one server per data directory: the second fails at once, before reconciling; a lock left by kill -9 is recovered', async () => {
    const data = path.join(dir, 'var');
    const first = await serve(data);
    try {
      // JSON lines with a time and a level name (pino).
      expect(first.lines[0]).to.include.keys('time', 'level', 'msg');
      expect(first.lines.every((l) => ['debug', 'info', 'warn', 'error'].includes(String(l.level)))).to.equal(true);
      expect((await get(first.port, '/health')).status).to.equal(200);

      const t0 = Date.now();
      const second = await execa(BIN, ['serve', '--port', '0', '--data', data, '--no-demo'], { reject: false, timeout: 20_000 });
      expect(second.exitCode).to.equal(1);
      expect(second.stderr).to.contain('is in use by another xen-wbem server').and.contain(`pid ${first.proc.pid}`);
      expect(second.stdout).to.not.contain('reconcile');
      expect(Date.now() - t0, 'failed at once, not after a wait for the lock').to.be.lessThan(15_000);
    } finally {
      first.proc.kill('SIGKILL');
      await first.proc;
    }
    expect(existsSync(path.join(data, 'xen-wbem.lock'))).to.equal(true);       // stale, left behind
    const third = await serve(data);
    try {
      expect(JSON.parse(readFileSync(path.join(data, 'xen-wbem.lock'), 'utf8')).pid).to.equal(third.proc.pid);
      expect((await get(third.port, '/health')).status).to.equal(200);
    } finally {
      third.proc.kill('SIGTERM');
      await third.proc;
    }
    expect([third.proc.exitCode, third.proc.signalCode], 'a clean stop: exit status 0, no signal').to.deep.equal([0, null]);
    expect(existsSync(path.join(data, 'xen-wbem.lock')), 'released on a clean stop').to.equal(false);
  });

  it('stops when asked after the reader of its standard output went away (a broken pipe never holds the stop)', async () => {
    // Three servers at once, one per signal.
    await Promise.all((['SIGTERM', 'SIGINT', 'SIGHUP'] as const).map(async (signal, round) => {
      const s = await serve(path.join(dir, `var${round}`));
      s.proc.stdout!.destroy(); // `serve | head`: the pipe's reader is gone; the next log line meets EPIPE
      const t0 = Date.now();
      s.proc.kill(signal);
      const r = await s.proc;
      expect(Date.now() - t0, 'stopped within 15 s').to.be.below(15_000);
      expect(r.exitCode === 0 || r.signal === 'SIGPIPE', `exit ${r.exitCode} ${r.signal}`).to.equal(true);
    }));
  });

  it('a lock held by a live process that is not its owner (pid reused) is taken over; SIGHUP (the terminal closed) is a clean stop', async () => {
    const data = path.join(dir, 'var');
    mkdirSync(data, { recursive: true });
    // Our own pid, with a start time that is not ours: the owner is gone and its pid reused.
    writeFileSync(path.join(data, 'xen-wbem.lock'), JSON.stringify({ pid: process.pid, start: '1', since: 'long ago' }));
    const s = await serve(data);
    try {
      expect((await get(s.port, '/health')).status).to.equal(200);
    } finally {
      s.proc.kill('SIGHUP');
      await s.proc;
    }
    expect([s.proc.exitCode, s.proc.signalCode], 'a clean stop: exit status 0, no signal').to.deep.equal([0, null]);
    expect(existsSync(path.join(data, 'xen-wbem.lock')), 'released on a clean stop').to.equal(false);
  });
});
