import { expect } from 'chai';
import * as http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { STREAM_AFTER } from '../../src/http/stream-response.js';
import { CIM_HEADERS, exchange, rawRequest, start, type Harness } from './helpers.js';

const PIECE = 'x'.repeat(16 * 1024);
// Chunks of pure ASCII, Latin-1, other BMP and astral characters, one after the other.
const MIXED = [PIECE, 'café '.repeat(4096), PIECE, 'Ωμέγα 😀 '.repeat(2048), PIECE];

interface Got { status: number; headers: http.IncomingHttpHeaders; body: Buffer; trailers: NodeJS.Dict<string>; error?: string }

function post(port: number, body: string, headers: Record<string, string> = {}): Promise<Got> {
  return new Promise((resolve) => {
    const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/cimom', agent: false, headers: { ...CIM_HEADERS, ...headers } }, (res) => {
      const parts: Buffer[] = [];
      const done = (error?: string): void => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts), trailers: res.trailers, ...(error ? { error } : {}) });
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => done());
      res.on('error', (e) => done(e.message));
      res.on('aborted', () => done('aborted'));
    });
    req.on('error', (e) => resolve({ status: 0, headers: {}, body: Buffer.alloc(0), trailers: {}, error: e.message }));
    req.end(body);
  });
}

describe('http app: answers streamed with backpressure', () => {
  let h: Harness;
  let produced = 0;
  before(async () => {
    h = await start(async (req) => {
      switch (req.body) {
        case 'large': // 1 MiB, sync, as the encoder produces it
          return { kind: 'cim', chunks: (function* () { for (let i = 0; i < 64; i++) yield PIECE; })() };
        case 'mixed':
          return { kind: 'cim', chunks: (function* () { yield* MIXED; })() };
        case 'huge': // 32 MiB, counting what was produced
          produced = 0;
          return { kind: 'cim', chunks: (function* () { for (let i = 0; i < 2048; i++) { produced++; yield PIECE; } })() };
        case 'late-failure':
          return { kind: 'cim', chunks: (function* () { for (let i = 0; i < 16; i++) yield PIECE; throw new Error('encoder failed'); })(), errorBody: () => '<ERROR/>' };
        case 'early-failure':
          return { kind: 'cim', chunks: (function* () { yield '<CIM>'; throw Object.assign(new Error('bad path'), { code: 4 }); })(), errorBody: (e) => `<ERROR CODE="${(e as { code: number }).code}"/>` };
        default:
          return { kind: 'cim', chunks: ['<CIM>', '<SMALL/>', '</CIM>'] };
      }
    });
  });
  after(async () => { await h.close(); });

  it('keeps a small answer whole, with Content-Length', async () => {
    const r = await post(h.port, 'small');
    expect(r.headers['content-length']).to.equal(String('<CIM><SMALL/></CIM>'.length));
    expect(r.headers['transfer-encoding']).to.equal(undefined);
  });

  it('sends every chunk as UTF-8, whatever characters it holds (ASCII ones as they are)', async () => {
    const r = await post(h.port, 'mixed');
    expect(r.headers['transfer-encoding']).to.equal('chunked');
    expect(r.body.equals(Buffer.from(MIXED.join(''), 'utf8'))).to.equal(true);
  });

  it(`chunks an answer over ${STREAM_AFTER / 1024} KiB without TE: trailers, intact and without a Trailer header`, async () => {
    const r = await post(h.port, 'large');
    expect(r.headers['transfer-encoding']).to.equal('chunked');
    expect(r.headers['content-length']).to.equal(undefined);
    expect(r.headers['trailer']).to.equal(undefined);
    expect(r.body.length).to.equal(64 * PIECE.length);
  });

  it('streams gzip when the client accepts it', async () => {
    const r = await post(h.port, 'large', { 'Accept-Encoding': 'gzip' });
    expect(r.headers['content-encoding']).to.equal('gzip');
    expect(r.headers['transfer-encoding']).to.equal('chunked');
    expect(r.body.length).to.be.below(64 * PIECE.length / 10);
    expect(gunzipSync(r.body).toString()).to.equal(PIECE.repeat(64));
  });

  it('answers an HTTP/1.0 client whole, with Content-Length', async () => {
    const raw = rawRequest(CIM_HEADERS, 'large').toString().replace('HTTP/1.1', 'HTTP/1.0');
    const r = await exchange(h.port, raw);
    expect(r.chunked).to.equal(false);
    expect(r.headers['content-length']).to.equal(String(64 * PIECE.length));
  });

  it('a failure before the first byte is a whole ERROR answer', async () => {
    const r = await post(h.port, 'early-failure');
    expect(r.status).to.equal(200);
    expect(r.body.toString()).to.equal('<ERROR CODE="4"/>');
    expect(r.headers['transfer-encoding']).to.equal(undefined);
  });

  it('a failure after the first byte without TE: trailers resets the connection: the message stays incomplete', async () => {
    const r = await post(h.port, 'late-failure');
    expect(r.error, 'the client sees the answer break off').to.be.a('string');
    expect(r.body.length).to.be.below(17 * PIECE.length);
    await new Promise((res) => setTimeout(res, 20));
    expect(h.logs.some((l) => l.startsWith('[warn] response failed while streaming') && l.includes('cimStatus=1'))).to.equal(true);
  });

  it('a failure after the first byte with TE: trailers is told in the trailer', async () => {
    const r = await post(h.port, 'late-failure', { TE: 'trailers' });
    expect(r.trailers['cimstatuscode']).to.equal('1');
    expect(r.trailers['cimstatuscodedescription']).to.equal('encoder failed');
  });

  it('encodes no further than the socket takes, and answers others meanwhile', async function () {
    this.timeout(20_000);
    let paused!: http.IncomingMessage;
    let bytes = 0;
    const started = new Promise<void>((resolve) => {
      const req = http.request({ port: h.port, host: '127.0.0.1', method: 'POST', path: '/cimom', agent: false, headers: CIM_HEADERS }, (res) => {
        paused = res;
        res.on('data', (d: Buffer) => { bytes += d.length; });
        res.once('data', () => { res.pause(); resolve(); });
      });
      req.end('huge');
    });
    await started;
    await new Promise((r) => setTimeout(r, 300));
    const stalled = produced;
    // The socket buffers hold a few MiB at most: far from the 2,048 chunks (32 MiB) of the answer.
    expect(stalled).to.be.below(2048 / 4);
    const t0 = performance.now();
    const other = await post(h.port, 'small');
    expect(other.status).to.equal(200);
    expect(performance.now() - t0, 'another request is answered while the large one waits').to.be.below(1000);
    expect(produced).to.be.below(stalled + 64);
    await new Promise<void>((resolve) => {
      paused.on('end', resolve);
      paused.resume();
    });
    expect(produced).to.equal(2048);
    expect(bytes).to.equal(2048 * PIECE.length);
  });
});
