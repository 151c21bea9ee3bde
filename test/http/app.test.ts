import { expect } from 'chai';
import * as http from 'node:http';
import { gunzipSync, gzipSync, deflateSync } from 'node:zlib';
import {
  BODY, CIM_HEADERS, RawClient, echo, exchange, fixture, rawRequest, start, type Harness,
} from './helpers.js';

describe('http app: routing and DSP0200 headers', () => {
  let h: Harness;
  before(async () => { h = await start(); });
  after(async () => { await h.close(); });
  beforeEach(() => { h.seen.length = 0; h.logs.length = 0; });

  it('answers POST /cimom with 200 and the CIM response headers', async () => {
    const r = await exchange(h.port, rawRequest(CIM_HEADERS));
    expect(r.status).to.equal(200);
    expect(r.headers['content-type']).to.equal('application/xml; charset="utf-8"');
    expect(r.headers['cimoperation']).to.equal('MethodResponse');
    expect(r.headers['content-length']).to.equal(String(r.body.length));
    expect(r.chunked).to.equal(false);
    expect(r.body.toString()).to.equal(`<ECHO>${BODY}</ECHO>`);
    expect(h.seen[0]!.headers).to.deep.equal({
      operation: 'MethodCall', method: 'EnumerateInstanceNames', object: 'root/virt',
    });
    expect(h.seen[0]!.principal).to.deep.equal({ name: 'anonymous', role: 'admin' });
    expect(h.seen[0]!.remote).to.match(/127\.0\.0\.1/);
  });

  it('accepts POST / as well', async () => {
    expect((await exchange(h.port, rawRequest(CIM_HEADERS, BODY, 'POST', '/'))).status).to.equal(200);
  });

  it('answers M-POST with Ext, Man and NN- prefixed headers', async () => {
    const r = await exchange(h.port, rawRequest({
      'Content-Type': 'application/xml; charset="utf-8"',
      Man: 'http://www.dmtf.org/cim/mapping/http/v1.0; ns=73',
      '73-CIMOperation': 'MethodCall',
      '73-CIMMethod': 'EnumerateInstanceNames',
      '73-CIMObject': 'root%2Fvirt',
      '73-CIMProtocolVersion': '1.0',
    }, BODY, 'M-POST'));
    expect(r.status).to.equal(200);
    expect(r.headers).to.have.property('ext', '');
    expect(r.headers['man']).to.equal('http://www.dmtf.org/cim/mapping/http/v1.0; ns=73');
    expect(r.headers['73-cimoperation']).to.equal('MethodResponse');
    expect(r.headers).not.to.have.property('cimoperation');
    expect(h.seen[0]!.headers.object).to.equal('root/virt');
  });

  it('keeps rewriting M-POST requests on a reused connection (body and pipelining)', async () => {
    const c = await RawClient.connect(h.port);
    try {
      const req = (ns: string): Buffer => rawRequest({
        Man: `http://www.dmtf.org/cim/mapping/http/v1.0; ns=${ns}`,
        [`${ns}-CIMOperation`]: 'MethodCall', [`${ns}-CIMMethod`]: 'GetClass', [`${ns}-CIMObject`]: 'root/virt',
      }, 'M-POST /cimom HTTP/1.1\r\n\r\n' + BODY, 'M-POST');
      // A plain POST in between, all three pipelined in one write.
      c.write(Buffer.concat([req('11'), rawRequest(CIM_HEADERS), req('22')]));
      const a = await c.response();
      const b = await c.response();
      const d = await c.response();
      expect([a.status, b.status, d.status]).to.deep.equal([200, 200, 200]);
      expect(a.headers['11-cimoperation']).to.equal('MethodResponse');
      expect(b.headers['cimoperation']).to.equal('MethodResponse');
      expect(d.headers['22-cimoperation']).to.equal('MethodResponse');
      expect(h.seen.map((s) => s.headers.method)).to.deep.equal(['GetClass', 'EnumerateInstanceNames', 'GetClass']);
      expect(h.seen[0]!.body).to.contain('M-POST /cimom HTTP/1.1');   // body bytes are not rewritten
    } finally { c.close(); }
  });

  it('follows chunked M-POST bodies and requests split byte by byte', async () => {
    const c = await RawClient.connect(h.port);
    try {
      const head = ['M-POST /cimom HTTP/1.1', 'Host: 127.0.0.1', 'Transfer-Encoding: chunked',
        'Man: "http://www.dmtf.org/cim/mapping/http/v1.0";ns=05',
        '05-CIMOperation: MethodCall', '05-CIMMethod: GetInstance', '05-CIMObject: root%2Fvirt'].join('\r\n');
      const chunked = `${head}\r\n\r\n5\r\nM-POS\r\n3;ext=1\r\nT x\r\n0\r\nX-Trailer: 1\r\n\r\n`;
      const bytes = Buffer.from(chunked + chunked);
      for (const b of bytes) { c.write(Buffer.from([b])); }
      const a = await c.response();
      const b = await c.response();
      expect([a.status, b.status]).to.deep.equal([200, 200]);
      expect(b.headers['05-cimoperation']).to.equal('MethodResponse');
      expect(h.seen.map((s) => s.body)).to.deep.equal(['M-POST x', 'M-POST x']);
      expect(h.seen[0]!.headers.object).to.equal('root/virt');
    } finally { c.close(); }
  });

  it('rejects M-POST without the CIM mapping declaration with 510', async () => {
    const r = await exchange(h.port, rawRequest(CIM_HEADERS, BODY, 'M-POST'));
    expect(r.status).to.equal(510);
  });

  for (const m of ['GET', 'PUT', 'DELETE', 'OPTIONS']) {
    it(`answers ${m} /cimom with 405 and Allow`, async () => {
      const r = await exchange(h.port, rawRequest(CIM_HEADERS, '', m));
      expect(r.status).to.equal(405);
      expect(r.headers['allow']).to.equal('POST, M-POST');
    });
  }

  it('answers other paths with 404', async () => {
    expect((await exchange(h.port, rawRequest(CIM_HEADERS, BODY, 'POST', '/other'))).status).to.equal(404);
    expect((await exchange(h.port, rawRequest({}, '', 'GET', '/favicon.ico'))).status).to.equal(404);
  });

  it("decodes wbemcli's percent-encoded CIMObject (capture replay)", async () => {
    const raw = fixture('wbemcli-cm-RequestStateChange.2-RequestStateChange.txt');
    const r = await exchange(h.port, raw);
    expect(r.status).to.equal(200);   // auth is off here: the Authorization header is ignored
    expect(h.seen[0]!.headers.method).to.equal('RequestStateChange');
    expect(h.seen[0]!.headers.object).to.equal(
      'root/virt:Xen_ComputerSystem.CreationClassName="Xen_ComputerSystem",Name="4f6b1c1e-0000-4000-8000-000000000001"');
  });

  it('decodes UTF-8 percent-escapes and keeps undecodable values raw', async () => {
    await exchange(h.port, rawRequest({ ...CIM_HEADERS, CIMObject: 'root/virt:X.Name=%22caf%C3%A9%22' }));
    expect(h.seen[0]!.headers.object).to.equal('root/virt:X.Name="café"');
    await exchange(h.port, rawRequest({ ...CIM_HEADERS, CIMObject: 'root/virt:X.Name="100%"' }));
    expect(h.seen[1]!.headers.object).to.equal('root/virt:X.Name="100%"');
    await exchange(h.port, rawRequest({ ...CIM_HEADERS, CIMObject: 'root/virt:X.Name=%FF' }));
    expect(h.seen[2]!.headers.object).to.equal('root/virt:X.Name=%FF');
  });

  const versions: Array<[string, number]> = [['1.0', 200], ['1.4', 200], ['1.9', 501], ['2.0', 501], ['x', 501]];
  for (const [v, status] of versions) {
    it(`CIMProtocolVersion ${v} → ${status}`, async () => {
      const r = await exchange(h.port, rawRequest({ ...CIM_HEADERS, CIMProtocolVersion: v }));
      expect(r.status).to.equal(status);
      if (status === 501) expect(r.headers['cimerror']).to.equal('unsupported-protocol-version');
      else expect(h.seen[0]!.headers.protocolVersion).to.equal(v);
    });
  }

  it('wrong or missing CIMOperation → 400 unsupported-operation', async () => {
    let r = await exchange(h.port, rawRequest({ ...CIM_HEADERS, CIMOperation: 'MethodResponse' }));
    expect(r.status).to.equal(400);
    expect(r.headers['cimerror']).to.equal('unsupported-operation');
    const { CIMOperation: _omit, ...noOp } = CIM_HEADERS;
    r = await exchange(h.port, rawRequest(noOp));
    expect(r.status).to.equal(400);
    expect(r.headers['cimerror']).to.equal('unsupported-operation');
    expect(h.seen).to.have.length(0);
  });

  it('CIMBatch → 501 multiple-requests-unsupported', async () => {
    const r = await exchange(h.port, rawRequest({ ...CIM_HEADERS, CIMBatch: '' }));
    expect(r.status).to.equal(501);
    expect(r.headers['cimerror']).to.equal('multiple-requests-unsupported');
  });

  it('missing, empty or invalid CIMMethod / CIMObject → 400 header-mismatch', async () => {
    const { CIMMethod: _m, ...noMethod } = CIM_HEADERS;
    const { CIMObject: _o, ...noObject } = CIM_HEADERS;
    for (const hd of [noMethod, noObject, { ...CIM_HEADERS, CIMMethod: '' }, { ...CIM_HEADERS, CIMMethod: 'Get Class' }]) {
      const r = await exchange(h.port, rawRequest(hd));
      expect(r.status).to.equal(400);
      expect(r.headers['cimerror']).to.equal('header-mismatch');
    }
  });

  it('Content-Type other than application/xml or text/xml in utf-8 → 406', async () => {
    for (const ct of ['application/json', 'text/xml; charset=iso-8859-1']) {
      const r = await exchange(h.port, rawRequest({ ...CIM_HEADERS, 'Content-Type': ct }));
      expect(r.status, ct).to.equal(406);
    }
    for (const ct of ['text/xml', 'application/xml;charset=UTF-8', 'TEXT/XML; charset="utf-8"']) {
      const r = await exchange(h.port, rawRequest({ ...CIM_HEADERS, 'Content-Type': ct }));
      expect(r.status, ct).to.equal(200);
    }
  });

  it('rejects a body that is not UTF-8 with 400 request-not-well-formed', async () => {
    const r = await exchange(h.port, rawRequest(CIM_HEADERS, Buffer.from([0x3c, 0xff, 0xfe, 0x3e])));
    expect(r.status).to.equal(400);
    expect(r.headers['cimerror']).to.equal('request-not-well-formed');
  });

  it('survives malformed request lines and headers', async () => {
    const c = await RawClient.connect(h.port);
    c.write('POST /cimom HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\x01: y\r\n\r\n');
    const r = await c.response();
    expect(r.status).to.equal(400);
    c.close();
    expect((await exchange(h.port, rawRequest(CIM_HEADERS))).status).to.equal(200);
  });

  it('answers an HTTP/1.1 request without Host with 400', async () => {
    const r = await exchange(h.port, 'POST /cimom HTTP/1.1\r\nCIMOperation: MethodCall\r\nCIMMethod: X\r\nCIMObject: root/virt\r\nContent-Length: 0\r\n\r\n');
    expect(r.status).to.equal(400);
    expect(h.seen).to.have.length(0);
  });

  it('writes one access-log entry per request, with the CIM status', async () => {
    await exchange(h.port, rawRequest(CIM_HEADERS));
    await new Promise((r) => setTimeout(r, 20));
    expect(h.logs).to.have.length(1);
    expect(h.logs[0]).to.match(/^request remote=127\.0\.0\.1 user=anonymous method=POST path=\/cimom cimMethod=EnumerateInstanceNames status=200 cimStatus=0 ms=[\d.]+$/);
  });

  it('reuses a keep-alive connection (node http agent)', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ports: number[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = http.request({ port: h.port, host: '127.0.0.1', method: 'POST', path: '/cimom', agent,
            headers: CIM_HEADERS }, (res) => {
            ports.push(res.socket.localPort!);
            res.resume();
            res.on('end', () => resolve(res.statusCode!));
          });
          req.on('error', reject);
          req.end(BODY);
        });
        expect(status).to.equal(200);
      }
    } finally { agent.destroy(); }
    expect(new Set(ports).size).to.equal(1);
  });
});

describe('http app: encodings and limits', () => {
  let h: Harness;
  const big = 'x'.repeat(5000);
  before(async () => {
    h = await start(async (req) => ({ kind: 'cim', chunks: [req.body.startsWith('big') ? big : 'small'] }),
      { limits: { maxBodyBytes: 4096 } });
  });
  after(async () => { await h.close(); });

  it('accepts a gzip request body', async () => {
    const r = await exchange(h.port, rawRequest({ ...CIM_HEADERS, 'Content-Encoding': 'gzip' }, gzipSync('small?')));
    expect(r.status).to.equal(200);
    expect(h.seen.at(-1)!.body).to.equal('small?');
  });

  it('accepts a deflate request body', async () => {
    const r = await exchange(h.port, rawRequest({ ...CIM_HEADERS, 'Content-Encoding': 'deflate' }, deflateSync('big?')));
    expect(r.status).to.equal(200);
    expect(h.seen.at(-1)!.body).to.equal('big?');
  });

  it('rejects an unknown Content-Encoding with 415', async () => {
    expect((await exchange(h.port, rawRequest({ ...CIM_HEADERS, 'Content-Encoding': 'br' }, 'x'))).status).to.equal(415);
  });

  it('gzips a large response when the client accepts gzip', async () => {
    const r = await exchange(h.port, rawRequest({ ...CIM_HEADERS, 'Accept-Encoding': 'gzip, deflate' }, 'big'));
    expect(r.status).to.equal(200);
    expect(r.headers['content-encoding']).to.equal('gzip');
    expect(gunzipSync(r.body).toString()).to.equal(big);
  });

  it('does not gzip small responses, nor for clients that do not ask', async () => {
    let r = await exchange(h.port, rawRequest({ ...CIM_HEADERS, 'Accept-Encoding': 'gzip' }, 'small'));
    expect(r.headers).not.to.have.property('content-encoding');
    r = await exchange(h.port, rawRequest(CIM_HEADERS, 'big'));
    expect(r.headers).not.to.have.property('content-encoding');
    expect(r.body.toString()).to.equal(big);
  });

  it('answers 413 for a declared body over the limit', async () => {
    const r = await exchange(h.port, rawRequest(CIM_HEADERS, 'y'.repeat(5000)));
    expect(r.status).to.equal(413);
    expect(h.seen.at(-1)?.body ?? '').not.to.match(/^y/);
  });

  it('answers 413 for a chunked body over the limit', async () => {
    const c = await RawClient.connect(h.port);
    const head = ['POST /cimom HTTP/1.1', 'Host: 127.0.0.1', 'Transfer-Encoding: chunked',
      ...Object.entries(CIM_HEADERS).map(([k, v]) => `${k}: ${v}`)].join('\r\n') + '\r\n\r\n';
    c.write(head);
    for (let i = 0; i < 5; i++) c.write(`400\r\n${'z'.repeat(0x400)}\r\n`);
    const r = await c.response();
    expect(r.status).to.equal(413);
    c.close();
  });

  it('answers 413 for a gzip body that inflates beyond the limit', async () => {
    const r = await exchange(h.port, rawRequest({ ...CIM_HEADERS, 'Content-Encoding': 'gzip' }, gzipSync('b'.repeat(100_000))));
    expect(r.status).to.equal(413);
  });
});

describe('http app: handler failures and timeouts', () => {
  it('maps a handler throw to 500 with a log line and keeps serving', async () => {
    let n = 0;
    const h = await start(async (req) => {
      if (n++ === 0) throw new Error('boom');
      return echo(req);
    });
    try {
      expect((await exchange(h.port, rawRequest(CIM_HEADERS))).status).to.equal(500);
      expect(h.logs.some((l) => l.includes('boom'))).to.equal(true);
      expect((await exchange(h.port, rawRequest(CIM_HEADERS))).status).to.equal(200);
    } finally { await h.close(); }
  });

  it('maps a chunk iterator throw (buffered mode) to 500', async () => {
    const h = await start(async () => ({
      kind: 'cim', chunks: (function* () { yield '<a>'; throw new Error('iter boom'); })(),
    }));
    try {
      expect((await exchange(h.port, rawRequest(CIM_HEADERS))).status).to.equal(500);
      expect(h.logs.some((l) => l.includes('iter boom'))).to.equal(true);
    } finally { await h.close(); }
  });

  it('passes httpError answers through with the CIMError header', async () => {
    const h = await start(async () => ({ kind: 'httpError', status: 400, cimError: 'request-not-valid', message: 'bad' }));
    try {
      const r = await exchange(h.port, rawRequest(CIM_HEADERS));
      expect(r.status).to.equal(400);
      expect(r.headers['cimerror']).to.equal('request-not-valid');
    } finally { await h.close(); }
  });

  it('aborts the signal on timeout; a handler that honours it answers itself', async () => {
    const h = await start((req) => new Promise((resolve) => {
      req.signal.addEventListener('abort', () =>
        resolve({ kind: 'cim', chunks: [`aborted:${String((req.signal.reason as Error).message)}`] }));
    }), { limits: { requestTimeoutMs: 100, timeoutGraceMs: 1000 } });
    try {
      const r = await exchange(h.port, rawRequest(CIM_HEADERS));
      expect(r.status).to.equal(200);
      expect(r.body.toString()).to.match(/^aborted:request timed out/);
    } finally { await h.close(); }
  });

  it('answers 503 for a handler that ignores the deadline', async () => {
    const h = await start(() => new Promise(() => { /* never */ }),
      { limits: { requestTimeoutMs: 50, timeoutGraceMs: 50 } });
    try {
      const r = await exchange(h.port, rawRequest(CIM_HEADERS));
      expect(r.status).to.equal(503);
      expect(h.logs.some((l) => l.includes('did not finish'))).to.equal(true);
    } finally { await h.close(); }
  });

  it('aborts the signal when the client disconnects', async () => {
    let aborted: Promise<string> | undefined;
    const h = await start((req) => {
      aborted = new Promise((resolve) => req.signal.addEventListener('abort', () => resolve((req.signal.reason as Error).message)));
      return new Promise((resolve) => { void aborted!.then(() => resolve({ kind: 'cim', chunks: [] })); });
    });
    try {
      const c = await RawClient.connect(h.port);
      c.write(rawRequest(CIM_HEADERS));
      while (!aborted) await new Promise((r) => setTimeout(r, 10));
      c.close();
      expect(await aborted).to.equal('client disconnected');
    } finally { await h.close(); }
  });
});
