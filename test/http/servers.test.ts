import { expect } from 'chai';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { createHttpApp } from '../../src/http/app.js';
import { isLoopback, startServers } from '../../src/http/servers.js';
import {
  BODY, CIM_HEADERS, FIXTURES, RawClient, echo, exchange, parseResponse, rawRequest, type RawResponse,
} from './helpers.js';

describe('http servers', () => {
  const app = createHttpApp({ handler: echo, auth: null });

  it('knows loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(a), a).to.equal(true);
    for (const a of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.1', 'example.org', '128.0.0.1', '']) expect(isLoopback(a), a).to.equal(false);
  });

  it('refuses to listen beyond loopback without auth', async () => {
    for (const listen of ['0.0.0.0', '::', '192.0.2.1']) {
      let msg = '';
      try { await startServers(app, { listen, port: 0, auth: false }); } catch (e) { msg = (e as Error).message; }
      expect(msg, listen).to.match(/refusing to listen on .* without authentication/);
    }
  });

  it('listens on an ephemeral port and reports it; close() ends keep-alive connections', async () => {
    const s = await startServers(app, { port: 0, auth: false });
    expect(s.httpPort).to.be.greaterThan(0);
    expect(s.httpsPort).to.equal(undefined);
    expect((await exchange(s.httpPort, rawRequest(CIM_HEADERS))).status).to.equal(200);
    const idle = await RawClient.connect(s.httpPort);          // a kept-alive connection
    idle.write(rawRequest(CIM_HEADERS));
    expect((await idle.response()).status).to.equal(200);
    const silent = await RawClient.connect(s.httpPort);        // connected, never sent a byte
    const t0 = Date.now();
    await s.close();
    expect(Date.now() - t0).to.be.lessThan(1500);
    await new Promise((r) => setTimeout(r, 50));
    expect(idle.closed).to.equal(true);
    expect(silent.closed).to.equal(true);
  });

  it('refuses half a TLS configuration', async () => {
    let msg = '';
    try { await startServers(app, { port: 0, auth: false, tlsCert: '/nonexistent' }); } catch (e) { msg = (e as Error).message; }
    expect(msg).to.contain('both a certificate and a key');
  });

  it('serves HTTPS (POST and M-POST) when a certificate and key are configured', async () => {
    // A throw-away self-signed pair kept in fixtures so the test needs no openssl.
    const s = await startServers(app, {
      port: 0, httpsPort: 0, auth: false,
      tlsCert: join(FIXTURES, 'tls-cert.pem'), tlsKey: join(FIXTURES, 'tls-key.pem'),
    });
    try {
      expect(s.httpsPort).to.be.greaterThan(0);
      const send = (req: Buffer): Promise<RawResponse> => new Promise((resolve, reject) => {
        let buf = Buffer.alloc(0);
        const sock = tls.connect({ host: '127.0.0.1', port: s.httpsPort!, rejectUnauthorized: false }, () => sock.write(req));
        sock.on('data', (d: Buffer) => {
          buf = Buffer.concat([buf, d]);
          const r = parseResponse(buf);
          if (r) { sock.destroy(); resolve(r.res); }
        });
        sock.on('error', reject);
      });
      expect((await send(rawRequest(CIM_HEADERS))).status).to.equal(200);
      const m = await send(rawRequest({
        Man: 'http://www.dmtf.org/cim/mapping/http/v1.0; ns=10',
        '10-CIMOperation': 'MethodCall', '10-CIMMethod': 'GetClass', '10-CIMObject': 'root/virt',
      }, BODY, 'M-POST'));
      expect(m.status).to.equal(200);
      expect(m.headers['10-cimoperation']).to.equal('MethodResponse');
    } finally { await s.close(); }
  });
});
