/**
 * Without users every caller is admin, which the loopback-only rule makes safe against other
 * machines; but a web page in a browser on this machine can reach the loopback too, under a name
 * of its own that it resolves to 127.0.0.1 (DNS rebinding), and its requests then carry that name
 * in Host. Such requests are refused.
 */
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthenticator } from '../../src/http/auth.js';
import { addUser } from '../../src/http/users.js';
import { CIM_HEADERS, basic, exchange, rawRequest, start, type Harness } from './helpers.js';

function withHost(host: string, headers: Record<string, string> = CIM_HEADERS, method = 'POST', path = '/cimom'): Buffer {
  return Buffer.from(rawRequest(headers, undefined, method, path).toString('latin1').replace('Host: 127.0.0.1', `Host: ${host}`), 'latin1');
}

describe('http app: the Host a request is addressed to, without users', () => {
  let h: Harness;
  before(async () => { h = await start(); });
  after(async () => { await h.close(); });
  beforeEach(() => { h.seen.length = 0; });

  for (const host of ['evil.example:5988', 'evil.example', '192.0.2.1:5988', 'attacker.127.0.0.1.nip.io']) {
    it(`refuses Host ${host} with 403 on every path, and runs nothing`, async () => {
      const r = await exchange(h.port, withHost(host));
      expect(r.status).to.equal(403);
      expect(r.body.toString()).to.match(/not addressed to this machine/);
      expect(h.seen).to.have.length(0);
      expect((await exchange(h.port, withHost(host, {}, 'GET', '/metrics'))).status).to.equal(403);
    });
  }

  for (const host of ['127.0.0.1:5988', '127.0.0.1', 'localhost:5988', 'LOCALHOST', '[::1]:5988', 'xen.localhost:5988', `${hostname()}:5988`]) {
    it(`serves Host ${host}`, async () => {
      expect((await exchange(h.port, withHost(host))).status).to.equal(200);
    });
  }

  it('accepts the absolute form of the request target (RFC 9112 §3.2.2), its authority taking the place of Host', async () => {
    const absolute = (target: string, host = '127.0.0.1'): Buffer => Buffer.from(withHost(host).toString('latin1').replace('POST /cimom ', `POST ${target} `), 'latin1');
    h.logs.length = 0;
    expect((await exchange(h.port, absolute('http://127.0.0.1:5988/cimom'))).status).to.equal(200);
    expect((await exchange(h.port, absolute('HTTP://localhost/cimom?x=1'))).status).to.equal(200);
    expect((await exchange(h.port, absolute('http://127.0.0.1:5988/elsewhere'))).status).to.equal(404);
    // The target names the server: a rebinding page's name there is refused whatever Host says.
    expect((await exchange(h.port, absolute('http://evil.example:5988/cimom'))).status).to.equal(403);
    expect((await exchange(h.port, absolute('http://127.0.0.1:5988/cimom', 'evil.example'))).status).to.equal(200);
    // What the access log shows is the path: never a user name or password put in the target.
    expect((await exchange(h.port, absolute('http://admin:secret@127.0.0.1:5988/cimom'))).status).to.equal(200);
    const entries = h.logs.filter((l) => l.startsWith('request '));
    expect(entries.join('\n')).to.not.contain('secret');
    expect(entries[0]).to.contain('path=/cimom ');
  });

  it('serves an HTTP/1.0 request without Host', async () => {
    const req = rawRequest(CIM_HEADERS).toString('latin1').replace('HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'HTTP/1.0\r\n');
    expect((await exchange(h.port, req)).status).to.equal(200);
  });

  it('with users, any Host: the credentials decide', async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), 'xen-wbem-host-'));
    const file = join(dir, 'users.json');
    await addUser(file, 'alice', 'pw', 'reader');
    const a = await start(undefined, { auth: createAuthenticator(file) });
    try {
      expect((await exchange(a.port, withHost('wbem.example.com:5989'))).status).to.equal(401);
      expect((await exchange(a.port, withHost('wbem.example.com:5989', { ...CIM_HEADERS, Authorization: basic('alice', 'pw') }))).status).to.equal(200);
    } finally {
      await a.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
