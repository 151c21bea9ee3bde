import { expect } from 'chai';
import * as http from 'node:http';
import { CIM_HEADERS, exchange, rawRequest, start, type Harness } from './helpers.js';

/** A CimError look-alike: what operations/ throws (duck-typed by http/). */
class FakeCimError extends Error {
  constructor(readonly code: number, readonly description: string) { super(description); }
}

describe('http app: chunked responses with CIM trailers', () => {
  let h: Harness;
  before(async () => {
    h = await start(async (req) => {
      if (req.body === 'fail') {
        return {
          kind: 'cim',
          chunks: (async function* () {
            yield '<CIM><MESSAGE>';
            await new Promise((r) => setTimeout(r, 5));
            throw new FakeCimError(6, 'Instance "café" not found\r\nsecond line');
          })(),
        };
      }
      if (req.body === 'plain-error') {
        return { kind: 'cim', chunks: (function* () { yield '<a>'; throw new Error('disk on fire'); })() };
      }
      if (req.body === 'many') {
        return { kind: 'cim', chunks: (async function* () { for (let i = 0; i < 2000; i++) yield `<I n="${i}">${'v'.repeat(100)}</I>`; })() };
      }
      return { kind: 'cim', chunks: ['<CIM>', '<MESSAGE/>', '</CIM>'] };
    });
  });
  after(async () => { await h.close(); });

  it('does not chunk without TE: trailers', async () => {
    const r = await exchange(h.port, rawRequest(CIM_HEADERS, 'ok'));
    expect(r.chunked).to.equal(false);
    expect(r.headers).not.to.have.property('trailer');
    expect(r.body.toString()).to.equal('<CIM><MESSAGE/></CIM>');
  });

  it('does not chunk for Connection: TE without a TE: trailers header', async () => {
    const r = await exchange(h.port, rawRequest({ ...CIM_HEADERS, Connection: 'Keep-Alive, TE' }, 'ok'));
    expect(r.chunked).to.equal(false);
  });

  it('chunks with a Trailer announcement and CIMStatusCode: 0 on success', async () => {
    const r = await exchange(h.port, rawRequest({ ...CIM_HEADERS, Connection: 'Keep-Alive, TE', TE: 'trailers' }, 'ok'));
    expect(r.status).to.equal(200);
    expect(r.chunked).to.equal(true);
    expect(r.headers['trailer']).to.equal('CIMStatusCode, CIMStatusCodeDescription');
    expect(r.headers['cimoperation']).to.equal('MethodResponse');
    expect(r.headers).not.to.have.property('content-length');
    expect(r.body.toString()).to.equal('<CIM><MESSAGE/></CIM>');
    expect(r.trailers).to.deep.equal({ cimstatuscode: '0' });
  });

  it('reports an iterator failure in the trailer (code and encoded description)', async () => {
    const r = await exchange(h.port, rawRequest({ ...CIM_HEADERS, TE: 'trailers' }, 'fail'));
    expect(r.status).to.equal(200);
    expect(r.trailers['cimstatuscode']).to.equal('6');
    expect(r.trailers['cimstatuscodedescription']).to.equal('Instance "caf%C3%A9" not found second line');
    expect(decodeURIComponent(r.trailers['cimstatuscodedescription']!)).to.contain('café');
    await new Promise((r) => setTimeout(r, 20));
    expect(h.logs.some((l) => l.startsWith('[warn] response failed while streaming') && l.includes('cimStatus=6'))).to.equal(true);
    expect(h.logs.some((l) => l.startsWith('request ') && l.includes('status=200 cimStatus=6'))).to.equal(true);
  });

  it('maps a plain Error to CIM_ERR_FAILED (1) in the trailer', async () => {
    const r = await exchange(h.port, rawRequest({ ...CIM_HEADERS, TE: 'trailers' }, 'plain-error'));
    expect(r.trailers['cimstatuscode']).to.equal('1');
    expect(r.trailers['cimstatuscodedescription']).to.equal('disk on fire');
  });

  it('prefixes the trailers under M-POST', async () => {
    const r = await exchange(h.port, rawRequest({
      Man: 'http://www.dmtf.org/cim/mapping/http/v1.0; ns=42', TE: 'trailers',
      '42-CIMOperation': 'MethodCall', '42-CIMMethod': 'EnumerateInstances', '42-CIMObject': 'root/virt',
    }, 'fail', 'M-POST'));
    expect(r.headers['trailer']).to.equal('42-CIMStatusCode, 42-CIMStatusCodeDescription');
    expect(r.trailers['42-cimstatuscode']).to.equal('6');
  });

  it('streams a large response intact, trailers readable by node:http', async () => {
    const { body, trailers } = await new Promise<{ body: string; trailers: NodeJS.Dict<string> }>((resolve, reject) => {
      const req = http.request({ port: h.port, host: '127.0.0.1', method: 'POST', path: '/cimom',
        headers: { ...CIM_HEADERS, TE: 'trailers' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => { text += d; });
        res.on('end', () => resolve({ body: text, trailers: res.trailers }));
      });
      req.on('error', reject);
      req.end('many');
    });
    expect(body.match(/<I /g)).to.have.length(2000);
    expect(trailers['cimstatuscode']).to.equal('0');
  });
});
