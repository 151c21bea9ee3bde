/** The peers of `serve --peer` and their credentials file (src/peers.ts). */
import { expect } from 'chai';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CimPeer, loadPeers, parsePeerArg, simulatorHosts } from '../src/peers.js';

describe('peers: --peer NAME=URL and peers.json', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'xen-wbem-peers-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));

  it('parses NAME=URL (a bare URL gets /cimom) and refuses what is not', () => {
    expect(parsePeerArg('hostB=http://127.0.0.1:5990')).to.deep.equal({ name: 'hostB', url: 'http://127.0.0.1:5990/cimom' });
    expect(parsePeerArg('h2.example.net=https://h2:5989/cimom').url).to.equal('https://h2:5989/cimom');
    expect(() => parsePeerArg('hostB')).to.throw('expected NAME=URL');
    expect(() => parsePeerArg('-x=http://a')).to.throw('expected NAME=URL');
    expect(() => parsePeerArg('hostB=not a url')).to.throw('is not a URL');
    expect(() => parsePeerArg('hostB=ftp://a/')).to.throw('must be http or https');
  });

  it('credentials from a 0600 peers.json; a looser mode is refused with the chmod to run', () => {
    const file = path.join(dir, 'data', 'peers.json');
    const data = path.dirname(file);
    require0600(file, { version: 1, peers: { hostB: { user: 'migrator', password: 'pw', xlHost: 'hostb.example.net' } } });
    const [p] = loadPeers(data, [{ name: 'hostB', url: 'https://b/cimom' }]);
    expect(p).to.include({ name: 'hostB', user: 'migrator', password: 'pw', xlHost: 'hostb.example.net' });
    // Credentials never go over plain http beyond the loopback.
    expect(() => loadPeers(data, [{ name: 'hostB', url: 'http://b/cimom' }])).to.throw(/would cross the network in clear text; give an https URL/);
    for (const url of ['http://127.0.0.1:5990/cimom', 'http://localhost:5990/cimom', 'http://[::1]:5990/cimom']) {
      expect(loadPeers(data, [{ name: 'hostB', url }])[0]).to.include({ user: 'migrator' });
    }
    // Simulator: the sibling data directory named after the host.
    expect(simulatorHosts([p!])).to.deep.equal({ 'hostb.example.net': path.join(dir, 'hostB', 'xl-sim') });
    chmodSync(file, 0o640);
    expect(() => loadPeers(data, [{ name: 'hostB', url: 'https://b/cimom' }])).to.throw(/has mode 0640: it holds peer passwords .*chmod 600/);
    // No --peer: the file is not even read.
    expect(loadPeers(data, [])).to.deep.equal([]);
  });

  it('refuses a malformed file and an xlHost that is not a host name', () => {
    const file = path.join(dir, 'peers.json');
    require0600(file, { peers: [] as unknown });
    writeFileSync(file, '{"version":1}', { mode: 0o600 });
    expect(() => loadPeers(dir, [{ name: 'b', url: 'http://b/cimom' }])).to.throw('not a peers file');
    writeFileSync(file, '{"version": 1, "peers": {"b": {"user": "m",}}}', { mode: 0o600 });
    expect(() => loadPeers(dir, [{ name: 'b', url: 'http://b/cimom' }])).to.throw(`${file}: not JSON (`);
    writeFileSync(file, JSON.stringify({ peers: { b: { xlHost: '-oProxyCommand=x' } } }), { mode: 0o600 });
    expect(() => loadPeers(dir, [{ name: 'b', url: 'http://b/cimom' }])).to.throw('is not a host name');
  });
});

describe('peers: a peer that answers without end', function () {
  this.timeout(20_000);
  let server: http.Server;
  let url: string;
  const timers = new Set<NodeJS.Timeout>();
  afterEach(async () => {
    for (const t of timers) clearInterval(t);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  async function listen(answer: (res: http.ServerResponse) => void): Promise<void> {
    server = http.createServer((req, res) => { req.resume(); answer(res); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cimom`;
  }
  const peer = () => new CimPeer({ name: 'hostB', url, xlHost: 'hostB' }, 1000);

  it('an answer larger than any method response is refused, not buffered without bound', async () => {
    const chunk = Buffer.alloc(256 * 1024, 'x');
    await listen((res) => {
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      const t = setInterval(() => res.write(chunk), 2);
      timers.add(t);
    });
    const t0 = Date.now();
    const err = await peer().abandon('0d6e1b52-5f59-4c2c-9a43-7e3c2b6f1a10').then(() => undefined, (e: Error) => e);
    expect(err?.message).to.match(/hostB .*answered more than \d+ bytes/);
    expect(Date.now() - t0).to.be.below(5000);
  });

  it('an answer that trickles in is cut at the deadline, not only when the line goes quiet', async () => {
    await listen((res) => {
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      const t = setInterval(() => res.write(' '), 200);
      timers.add(t);
    });
    const t0 = Date.now();
    const err = await peer().abandon('0d6e1b52-5f59-4c2c-9a43-7e3c2b6f1a10').then(() => undefined, (e: Error) => e);
    expect(err?.message).to.match(/hostB .*did not answer CancelIncomingVirtualSystem within 1000 ms/);
    expect(Date.now() - t0).to.be.within(900, 4000);
  });
});

function require0600(file: string, doc: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(doc), { mode: 0o600 });
  chmodSync(file, 0o600);
}
