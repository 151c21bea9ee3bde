/** `xen-wbem network show|list` as a user runs it (bin/xen-wbem) against a running server. */
import { expect } from 'chai';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { REPO_ROOT } from '../support/test-server.js';
import { defineLab } from '../topology/lab.js';
import { ViewClientError, listNetworks, showNetwork } from '../../src/network-view.js';

const BIN = path.join(REPO_ROOT, 'bin', 'xen-wbem');

describe('cli: xen-wbem network show / list', function () {
  this.timeout(60_000);
  let app: AppServer;
  let dir: string;
  const server = () => ['--url', `http://127.0.0.1:${app.port}`, '--user', 'viewer'];
  const run = (args: string[], env: Record<string, string> = { XEN_WBEM_PASSWORD: 'pw' }) => execa(BIN, args, { env, reject: false, timeout: 30_000 });

  before(async () => {
    app = await startAppServer({ users: [{ name: 'viewer', password: 'pw', role: 'reader' }] });
    await defineLab(app);
    dir = mkdtempSync(path.join(tmpdir(), 'xen-wbem-netview-'));
  });
  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  it('show prints the topology and --svg writes the drawing the server serves', async () => {
    const file = path.join(dir, 'lab.svg');
    const [show, served] = await Promise.all([
      run(['network', 'show', 'lab', ...server(), '--svg', file]),
      fetch(`http://127.0.0.1:${app.port}/networks/lab.svg`, { headers: { Authorization: 'Basic ' + Buffer.from('viewer:pw').toString('base64') } }).then((r) => r.text()),
    ]);
    expect(show.exitCode, show.stderr).to.equal(0);
    expect(show.stdout).to.match(/^network lab: mixed$/m);
    expect(show.stdout).to.match(/^ {2}r2 +running +0 /m);
    expect(show.stdout).to.match(/^ {2}r1-r2 +r1 <-> r2 +100 Mbit\/s +20 Mbit\/s +down$/m);
    expect(show.stdout).to.match(/^ {2}xenbr1 +shared +up +r1, r2, r3$/m);
    expect(show.stderr).to.equal(`drawing written to ${file}`);
    expect(readFileSync(file, 'utf8')).to.equal(served);
    expect(readdirSync(dir)).to.deep.equal(['lab.svg']);
  });

  it('list prints the networks; the password may come on standard input', async () => {
    const r = await execa(BIN, ['network', 'list', ...server(), '--password-stdin'], { input: 'pw\n', reject: false, timeout: 30_000 });
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stdout.split('\n')).to.deep.equal(['NAME  STATE  ROUTERS  LINKS', 'lab   mixed  3        2']);
  });

  it('says clearly what went wrong: credentials, unknown network, no server, bad usage', async () => {
    const [noAuth, wrong, unknown, badName, down, noName] = await Promise.all([
      run(['network', 'show', 'lab', '--url', `http://127.0.0.1:${app.port}`], {}),
      run(['network', 'show', 'lab', ...server()], { XEN_WBEM_PASSWORD: 'nope' }),
      run(['network', 'show', 'nope', ...server()]),
      run(['network', 'show', '../x', ...server()]),
      run(['network', 'list', '--url', 'http://127.0.0.1:1']),
      run(['network', 'show']),
    ]);
    for (const r of [noAuth, wrong, unknown, badName, down, noName]) expect(r.exitCode, r.command).to.equal(1);
    expect(noAuth.stderr).to.match(/refused the credentials \(401\): give --user NAME/);
    expect(wrong.stderr).to.match(/refused the credentials \(401\)/);
    expect(unknown.stderr).to.equal('xen-wbem: GET /networks/nope.json answered 404: no network named "nope" (GET /networks lists them)');
    expect(badName.stderr).to.match(/answered 400: not a network name/);
    expect(down.stderr).to.match(/^xen-wbem: cannot reach the server at http:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
    expect(noName.stderr).to.match(/network show needs a NAME/);
    // A password is never sent over plain HTTP beyond loopback (192.0.2.1: a documentation address, nothing answers there).
    const [clearView, clearApply] = await Promise.all([
      run(['network', 'list', '--url', 'http://192.0.2.1:5988', '--user', 'admin'], { XEN_WBEM_PASSWORD: 'pw' }),
      run(['network', 'apply', path.join(REPO_ROOT, 'examples', 'network.yaml'), '--url', 'http://192.0.2.1:5988', '--user', 'admin'], { XEN_WBEM_PASSWORD: 'pw' }),
    ]);
    for (const r of [clearView, clearApply]) {
      expect(r.exitCode, r.command).to.equal(1);
      expect(r.stderr).to.equal('xen-wbem: refusing to send the password of --user over plain HTTP to 192.0.2.1:5988: it would cross the network in clear text; use https://');
    }
    const help = await run(['network', '--help']);
    expect(help.exitCode).to.equal(0);
    expect(help.stdout).to.contain('--svg FILE');
  });
});

describe('network show / list against a server whose answer is not what ours sends', () => {
  let server: http.Server;
  let answer = '';
  let url = '';
  let dir: string;
  before(async () => {
    server = http.createServer((_req, res) => { res.setHeader('Content-Type', 'application/json'); res.end(answer); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(path.join(tmpdir(), 'xen-wbem-view-'));
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const good = () => ({
    name: 'x', state: 'running', uplinkBitsPerSecond: 1e9, reservedBitsPerSecond: 0,
    systems: [{ name: 'r1', state: 'running', priority: 1, interfaces: [] }], switches: [], links: [],
  });

  for (const [what, change, says] of [
    ['markup where a number goes', (p: Record<string, unknown>) => { (p.systems as Record<string, unknown>[])[0]!.priority = '"/><script>alert(1)</script><x a="'; }, 'picture.systems[0].priority is not a number'],
    ['a terminal escape for a state', (p: Record<string, unknown>) => { p.state = 'running\u001b[2J'; }, 'picture.state is not a state'],
    ['a link without its two ends', (p: Record<string, unknown>) => { p.links = [{ name: 'l', switch: 's', ends: 'a-b' }]; }, 'picture.links[0].ends is not two ends'],
  ] as const) {
    it(`refuses a picture with ${what}, naming the place, and writes no drawing`, async () => {
      const p = good() as Record<string, unknown>;
      change(p);
      answer = JSON.stringify(p);
      const svg = path.join(dir, 'x.svg');
      let error: unknown;
      try { await showNetwork({ url }, 'x', svg); } catch (e) { error = e; }
      expect(error).to.be.instanceOf(ViewClientError);
      expect((error as Error).message).to.equal(`the server's picture of "x" is not a network picture: ${says}`);
      expect(existsSync(svg)).to.equal(false);
    });
  }

  it('stops reading an answer that never ends, or trickles in, saying so', async () => {
    const endless = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const timer = setInterval(() => res.write(req.url === '/networks/big.json' ? 'x'.repeat(64 * 1024) : ' '), 5);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    const at = `http://127.0.0.1:${(endless.address() as AddressInfo).port}`;
    try {
      const failure = (p: Promise<unknown>) => p.then(() => 'answered', (e: unknown) => (e instanceof ViewClientError ? e.message : `other: ${String(e)}`));
      expect(await failure(showNetwork({ url: at, maxBytes: 1024 * 1024 }, 'big'))).to.equal('GET /networks/big.json: the answer is larger than 1048576 bytes');
      expect(await failure(showNetwork({ url: at, timeoutMs: 300 }, 'slow'))).to.equal('GET /networks/slow.json: no whole answer within 0.3 s');
    } finally {
      endless.closeAllConnections();
      await new Promise((resolve) => endless.close(resolve));
    }
  });

  it('--svg leaves nothing behind when the drawing cannot be put in place', async () => {
    answer = JSON.stringify(good());
    const target = mkdtempSync(path.join(dir, 'a-directory-'));
    let error: unknown;
    try { await showNetwork({ url }, 'x', target); } catch (e) { error = e; }
    expect((error as NodeJS.ErrnoException).code).to.be.oneOf(['EISDIR', 'ENOTEMPTY', 'EEXIST']);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).to.deep.equal([]);
  });

  it('draws a well-formed picture, and refuses a list entry whose state is not a state', async () => {
    answer = JSON.stringify(good());
    expect(await showNetwork({ url }, 'x')).to.contain('network x: running');
    answer = JSON.stringify([{ name: 'x', state: '\u001b]0;t\u0007', routers: 1, links: 0 }]);
    let error: unknown;
    try { await listNetworks({ url }); } catch (e) { error = e; }
    expect((error as Error).message).to.equal("the server's list of networks is not one: list[0].state is not a state");
  });
});
