/**
 * What an operator relies on at the HTTP level: access-log entries with the CIM status, a quiet
 * line for clients that hang up, GET /health, CONNECT answered, the connection cap, TLS
 * handshake timeout, and HTTPS only beyond loopback.
 */
import { expect } from 'chai';
import * as http from 'node:http';
import * as net from 'node:net';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { createHttpApp } from '../../src/http/app.js';
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, servesPlainHttp, startServers } from '../../src/http/servers.js';
import { createAuthenticator } from '../../src/http/auth.js';
import { addUser } from '../../src/http/users.js';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import {
  CIM_HEADERS, FIXTURES, RawClient, echo, exchange, rawRequest, start,
} from './helpers.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TLS_FILES = { tlsCert: join(FIXTURES, 'tls-cert.pem'), tlsKey: join(FIXTURES, 'tls-key.pem') };

describe('http operations: logs', () => {
  it('a CIM error inside a 200 answer is in the access entry as cimStatus and cimError', async () => {
    const h = await start(async () => ({
      kind: 'cim', chunks: ['<ERROR/>'], cimStatus: { code: 6, description: 'CIM_ERR_NOT_FOUND: no instance x' },
    }));
    try {
      expect((await exchange(h.port, rawRequest(CIM_HEADERS))).status).to.equal(200);
      await pause(20);
      expect(h.logs).to.have.length(1);
      expect(h.logs[0]).to.match(/^request .* status=200 cimStatus=6 cimError="CIM_ERR_NOT_FOUND: no instance x" ms=/);
    } finally { await h.close(); }
  });

  it('a client that hangs up in the middle of its body leaves one quiet debug line, no stack', async () => {
    const h = await start();
    try {
      const c = await RawClient.connect(h.port);
      const req = rawRequest(CIM_HEADERS);
      c.write(req.subarray(0, req.length - 40));
      await pause(50);
      c.close();
      await pause(100);
      const notes = h.logs.filter((l) => !l.startsWith('request '));
      expect(notes).to.have.length(1);
      expect(notes[0]).to.match(/^\[debug\] client went away /);
      expect(h.logs.join('\n')).to.not.match(/unexpected|\n\s+at /);
      expect(h.seen).to.have.length(0);
    } finally { await h.close(); }
  });
});

describe('http operations: GET /health', () => {
  it('200 while the probe answers, 503 when it fails or hangs; HEAD too; other methods 405', async () => {
    let mode: 'ok' | 'fail' | 'hang' = 'ok';
    let probes = 0;
    let release: (() => void) | undefined;
    const h = await start(echo, {
      health: {
        reuseMs: 0, timeoutMs: 100,
        probe: () => {
          probes++;
          if (mode === 'ok') return Promise.resolve();
          if (mode === 'fail') return Promise.reject(new Error('xl: broken'));
          return new Promise<void>((resolve) => { release = resolve; });
        },
      },
    });
    try {
      const get = () => exchange(h.port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      let r = await get();
      expect([r.status, r.body.toString(), r.headers['cache-control']]).to.deep.equal([200, 'ok\n', 'no-store']);
      mode = 'fail';
      r = await get();
      expect([r.status, r.body.toString()]).to.deep.equal([503, 'unavailable\n']);
      mode = 'hang';
      expect((await get()).status).to.equal(503);
      expect((await get()).status).to.equal(503);
      expect(probes, 'a hung probe is waited for, not started again').to.equal(3);
      release?.();
      mode = 'ok';
      await pause(10);
      expect((await get()).status).to.equal(200);
      const head = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        http.request({ host: '127.0.0.1', port: h.port, path: '/health', method: 'HEAD', agent: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => { body += c.toString(); });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        }).on('error', reject).end();
      });
      expect(head).to.deep.equal({ status: 200, body: '' });
      const post = await exchange(h.port, rawRequest({}, '', 'POST', '/health'));
      expect([post.status, post.headers['allow']]).to.deep.equal([405, 'GET, HEAD']);
      // The reason is logged once per change, never sent to the (unauthenticated) caller.
      expect(h.logs.filter((l) => l.includes('backend unavailable')), h.logs.join('\n')).to.have.length(1);
      expect(h.logs.filter((l) => l.includes('answers again'))).to.have.length(1);
    } finally { await h.close(); }
  });

  it('needs no credentials when CIM requests do; a flood of probes costs one probe', async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), 'xen-wbem-health-'));
    const file = join(dir, 'users.json');
    await addUser(file, 'admin', 'pw', 'admin');
    let probes = 0;
    const h = await start(echo, {
      auth: createAuthenticator(file),
      // A result reused for a minute: the flood is one probe however slowly a loaded machine sends it.
      health: { probe: async () => { probes++; await pause(30); }, reuseMs: 60_000 },
    });
    try {
      expect((await exchange(h.port, rawRequest(CIM_HEADERS))).status).to.equal(401);
      const all = await Promise.all(Array.from({ length: 20 }, () => exchange(h.port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')));
      expect(all.every((r) => r.status === 200)).to.equal(true);
      expect(probes).to.equal(1);
    } finally {
      await h.close();
      await fs.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    }
  });

  it('is 404 when no probe is configured, like any unknown path', async () => {
    const h = await start();
    try {
      expect((await exchange(h.port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).status).to.equal(404);
    } finally { await h.close(); }
  });
});

describe('http operations: hostile and careless clients', () => {
  it('CONNECT /cimom gets 405 with Allow, not a silent close', async () => {
    const h = await start();
    try {
      const r = await exchange(h.port, 'CONNECT /cimom HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      expect([r.status, r.headers['allow']]).to.deep.equal([405, 'POST, M-POST']);
      expect(r.body.toString()).to.contain('CONNECT is not allowed');
    } finally { await h.close(); }
  });

  it('beyond the connection cap a new HTTP connection gets 503 and is closed; a freed slot is reused', async () => {
    const h = await start(echo, { servers: { maxConnections: 2 } });
    try {
      const a = await RawClient.connect(h.port);
      const b = await RawClient.connect(h.port);
      const refused = await exchange(h.port, rawRequest(CIM_HEADERS));
      expect([refused.status, refused.headers['retry-after']]).to.deep.equal([503, '5']);
      a.write(rawRequest(CIM_HEADERS));
      expect((await a.response()).status).to.equal(200);
      b.close();
      await pause(50);
      expect((await exchange(h.port, rawRequest(CIM_HEADERS))).status).to.equal(200);
      expect(h.logs.filter((l) => l.includes('connection limit reached'))).to.have.length(1);
      a.close();
    } finally { await h.close(); }
  });

  it('a client that trickles its request head is cut off at the headers timeout, not up to 30 s later', async () => {
    const h = await start(echo, { servers: { headersTimeoutMs: 600 } });
    try {
      const slow = await RawClient.connect(h.port);
      slow.write('POST /cimom HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const t0 = Date.now();
      const trickle = setInterval(() => { if (!slow.closed) slow.write('X-Slow: 1\r\n'); }, 100);
      try {
        while (!slow.closed && Date.now() - t0 < 5000) await pause(50);
      } finally { clearInterval(trickle); }
      expect(slow.closed).to.equal(true);
      expect(Date.now() - t0).to.be.lessThan(2500);
    } finally { await h.close(); }
  });

  it('one client address cannot take every connection slot: beyond its share it gets 503, others are served', async () => {
    expect(DEFAULT_MAX_CONNECTIONS_PER_ADDRESS).to.be.lessThan(DEFAULT_MAX_CONNECTIONS / 4);
    const h = await start(echo, { servers: { maxConnections: 8, maxConnectionsPerAddress: 3 } });
    const held: RawClient[] = [];
    try {
      for (let i = 0; i < 3; i++) held.push(await RawClient.connect(h.port, '127.0.0.3'));
      const extra = await RawClient.connect(h.port, '127.0.0.3');
      extra.write(rawRequest(CIM_HEADERS));
      expect((await extra.response()).status).to.equal(503);
      // Another address is served while the first holds its share.
      const other = await RawClient.connect(h.port, '127.0.0.4');
      other.write(rawRequest(CIM_HEADERS));
      expect((await other.response()).status).to.equal(200);
      other.close();
      held[0]!.write(rawRequest(CIM_HEADERS));
      expect((await held[0]!.response()).status).to.equal(200);
      // A slot the address frees is its own again.
      held.pop()!.close();
      await pause(50);
      const again = await RawClient.connect(h.port, '127.0.0.3');
      again.write(rawRequest(CIM_HEADERS));
      expect((await again.response()).status).to.equal(200);
      again.close();
      expect(h.logs.filter((l) => l.includes('connections from one address'))).to.have.length(1);
    } finally {
      held.forEach((c) => c.close());
      await h.close();
    }
  });

  it('TLS: a silent client is dropped after the handshake timeout; beyond the cap, closed before any handshake', async () => {
    const app = createHttpApp({ handler: echo, auth: null });
    const s = await startServers(app, { port: 0, httpsPort: 0, auth: false, ...TLS_FILES, handshakeTimeoutMs: 200, maxConnections: 1 });
    try {
      const silent = net.connect(s.httpsPort!, '127.0.0.1');
      const closedAt = new Promise<number>((resolve) => silent.on('close', () => resolve(Date.now())));
      silent.on('error', () => {});
      await new Promise((r) => silent.once('connect', r));
      const t0 = Date.now();
      // The one slot is taken: a TLS client now is closed without a handshake.
      const refused = await new Promise<string>((resolve) => {
        const c = tls.connect({ host: '127.0.0.1', port: s.httpsPort!, rejectUnauthorized: false }, () => resolve('handshake'));
        c.on('error', (e) => resolve(`error: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
        c.on('close', () => resolve('closed'));
      });
      expect(refused).to.not.equal('handshake');
      expect((await closedAt) - t0).to.be.lessThan(1500);
    } finally { await s.close(); }
  });
});

describe('http operations: HTTPS only beyond loopback', () => {
  it('beyond loopback: refused without TLS, HTTPS only with it (plain HTTP cannot be asked for)', () => {
    const beyond = { listen: '0.0.0.0', auth: true };
    expect(() => servesPlainHttp(beyond)).to.throw(/without TLS: passwords would cross the network in clear text/);
    expect(servesPlainHttp({ ...beyond, ...TLS_FILES })).to.equal(false);
    expect(() => servesPlainHttp({ ...beyond, ...TLS_FILES, httpsOnly: false })).to.throw(/refusing plain HTTP/);
  });

  it('on loopback: plain HTTP by default, HTTPS only on request (and then it needs a certificate)', async () => {
    expect(servesPlainHttp({ auth: false })).to.equal(true);
    expect(servesPlainHttp({ auth: false, ...TLS_FILES })).to.equal(true);
    expect(() => servesPlainHttp({ auth: false, httpsOnly: true })).to.throw(/needs a certificate/);
    const s = await startServers(createHttpApp({ handler: echo, auth: null }), { port: 0, httpsPort: 0, auth: false, ...TLS_FILES, httpsOnly: true });
    try {
      expect(s.httpPort).to.equal(0);
      expect(s.httpsPort).to.be.greaterThan(0);
    } finally { await s.close(); }
  });
});
