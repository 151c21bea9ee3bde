/**
 * Every request captured from wbemcli, pywbem and pywbemcli (test/vectors/requests, byte-exact)
 * replayed against the application and its whole answer compared with a golden file
 * (test/vectors/responses), after the normaliser in vectors-normalise.ts. expected.json keeps
 * what each answer must mean (HTTP status, CIM error, extrinsic ReturnValue) so a regenerated
 * golden cannot silently turn a success into a failure. UPDATE_VECTORS=1 rewrites the goldens
 * (test/vectors/README.md).
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { first, parseXml, text, type XmlNode } from '../support/cim-client.js';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { REPO_ROOT } from '../support/test-server.js';
import { normalise, render, type WireResponse } from './vectors-normalise.js';

const DIR = path.join(REPO_ROOT, 'test', 'vectors');
const GOLDEN_DIR = path.join(DIR, 'responses');
const UPDATE = process.env.UPDATE_VECTORS === '1';
const ACTUAL_DIR = path.join(tmpdir(), 'xen-wbem-vectors-actual');
const SYSTEM = '4f6b1c1e-0000-4000-8000-000000000001';

interface Expected {
  status: number;
  error?: number;
  returnValue?: number;
  chunkedWithTrailer?: boolean;
  adapted?: { returnValue: number };
}
interface Capture {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

function readCapture(file: string): Capture {
  const raw = readFileSync(path.join(DIR, 'requests', file), 'utf8');
  const split = raw.indexOf('\n\n') >= 0 ? raw.indexOf('\n\n') : raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).split(/\r?\n/);
  const [method, p] = head[0]!.split(' ');
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  const body = raw.slice(split).replace(/^\r?\n\r?\n/, '');
  return { method: method!, path: p!, headers, body: body.slice(0, Number(headers['Content-Length'] ?? body.length)) };
}

/** The captures' VSMS keys are another provider's; ours differ in these two (expected.json). */
function adapt(c: Capture): Capture {
  const fix = (s: string) => s.replace(/Xen Hypervisor/g, 'Management Service').replace(/Xen_HostComputerSystem/g, 'Xen_HostSystem');
  const body = fix(c.body);
  const headers = { ...c.headers, CIMObject: fix(c.headers.CIMObject ?? ''), 'Content-Length': String(Buffer.byteLength(body)) };
  return { ...c, headers, body };
}

function send(port: number, c: Capture): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const headers = { ...c.headers, Host: `127.0.0.1:${port}` };
    const req = http.request({ host: '127.0.0.1', port, method: c.method, path: c.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        // pywbem asks for gzip (Accept-Encoding), and gets it.
        const raw = Buffer.concat(chunks);
        const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body.toString('utf8'), trailers: res.trailers as Record<string, string | undefined> });
      });
    });
    req.on('error', reject);
    req.end(c.body);
  });
}

/** The golden file of one capture: `<capture>.xml`, or `<capture>.adapted.xml` with our VSMS keys. */
function goldenPath(file: string, adapted: boolean): string {
  return path.join(GOLDEN_DIR, file.replace(/\.txt$/, adapted ? '.adapted.xml' : '.xml'));
}

describe('e2e: client captures replayed byte for byte', function () {
  this.timeout(120_000);
  const expected = (JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as { vectors: Record<string, Expected> }).vectors;
  let app: AppServer;

  /** The system the captures name: defined and running before each replay. */
  async function resetSystem(): Promise<void> {
    const virt = app.server.virt;
    for (const extra of ['vm2']) {
      if ((await virt.listSystems()).some((s) => s.name === extra)) await virt.deleteSystem(extra);
    }
    let sys = (await virt.listSystems()).find((s) => s.name === SYSTEM);
    if (!sys) sys = await virt.defineSystem({ name: SYSTEM, type: 'pv', memoryMiB: 128, vcpus: 1, nics: [{ bridge: 'xenbr0' }] });
    if (sys.state !== 'running') await virt.requestState(SYSTEM, 'running', { timeoutMs: 20_000 });
  }

  before(async () => {
    // No periodic metrics sample: the golden answers hold no metric references, and a sample
    // taken while a capture's system runs (on a loaded machine, past the interval) would add them.
    app = await startAppServer({ hostName: 'host1', users: [{ name: 'pegasus', password: 's3cret', role: 'admin' }], metricsIntervalMs: 0 });
    if (UPDATE) mkdirSync(GOLDEN_DIR, { recursive: true });
  });
  after(async () => app?.close());

  it('normalises run-time values only, keeping which ones are equal and what the request named', () => {
    const keep = new Set(['4f6b1c1e-0000-4000-8000-000000000001']);
    const body = '<MESSAGE ID="1001"><VALUE>20261206040000.123456+000</VALUE><VALUE>Job:aaaaaaaa-1111-4111-8111-111111111111</VALUE>' +
      '<VALUE>4f6b1c1e-0000-4000-8000-000000000001</VALUE><VALUE>aaaaaaaa-1111-4111-8111-111111111111</VALUE>' +
      '<VALUE>bbbbbbbb-2222-4222-8222-222222222222</VALUE><VALUE>00:16:3e:12:34:56</VALUE><VALUE>12345</VALUE>';
    expect(normalise(body, keep)).to.equal('<MESSAGE ID="1001"><VALUE><DATETIME></VALUE><VALUE>Job:<UUID-1></VALUE>' +
      '<VALUE>4f6b1c1e-0000-4000-8000-000000000001</VALUE><VALUE><UUID-1></VALUE>' +
      '<VALUE><UUID-2></VALUE><VALUE><MAC-1></VALUE><VALUE>12345</VALUE>');
  });

  it('has an expectation for every capture', () => {
    expect(readdirSync(path.join(DIR, 'requests')).sort()).to.deep.equal(Object.keys(expected).sort());
  });

  it('has a golden response for every capture and variant, and no stale golden', () => {
    const want = Object.entries(expected).flatMap(([f, e]) => [goldenPath(f, false), ...(e.adapted ? [goldenPath(f, true)] : [])]);
    expect(readdirSync(GOLDEN_DIR).map((f) => path.join(GOLDEN_DIR, f)).sort()).to.deep.equal(want.sort());
  });

  for (const [file, want] of Object.entries(expected)) {
    const variants: [string, boolean, (c: Capture) => Capture, Expected][] = [['as captured', false, (c) => c, want]];
    if (want.adapted) variants.push(['with our VSMS keys', true, adapt, { status: 200, returnValue: want.adapted.returnValue }]);
    for (const [label, adapted, transform, exp] of variants) {
      it(`${file} (${label})`, async () => {
        await resetSystem();
        const request = transform(readCapture(file));
        const r = await send(app.port, request);
        // What the answer must mean, whatever the golden says.
        expect(r.status, r.body).to.equal(exp.status);
        if (exp.status === 401) expect(r.headers['www-authenticate']).to.match(/^Basic realm=/);
        if (exp.status === 200) {
          expect(r.headers.cimoperation).to.equal('MethodResponse');
          const msg = first(first(parseXml(r.body), 'CIM'), 'MESSAGE');
          const sent = /MESSAGE ID="(\d+)"/.exec(readCapture(file).body)![1];
          expect(msg['@ID'], 'the MESSAGE ID is echoed').to.equal(sent);
          const rsp: XmlNode = first(first(msg, 'SIMPLERSP'), 'IMETHODRESPONSE') ?? first(first(msg, 'SIMPLERSP'), 'METHODRESPONSE');
          const err = first(rsp, 'ERROR');
          if (exp.error !== undefined) {
            expect(err, r.body.slice(0, 400)).to.not.equal(undefined);
            expect(Number(err['@CODE'])).to.equal(exp.error);
          } else {
            expect(err, err ? String(err['@DESCRIPTION']) : '').to.equal(undefined);
          }
          if (exp.returnValue !== undefined) {
            expect(Number(text(first(first(rsp, 'RETURNVALUE'), 'VALUE')))).to.equal(exp.returnValue);
          }
          if (exp.chunkedWithTrailer) {
            expect(r.headers['transfer-encoding']).to.equal('chunked');
            expect(r.trailers.cimstatuscode).to.equal('0');
          }
        }
        // The whole answer.
        const golden = goldenPath(file, adapted);
        const got = render(r, request.body + (request.headers.CIMObject ?? ''));
        if (UPDATE) {
          writeFileSync(golden, got);
          return;
        }
        expect(existsSync(golden), `${golden} is missing: run with UPDATE_VECTORS=1`).to.equal(true);
        const want = readFileSync(golden, 'utf8');
        if (got !== want) {
          // The whole answer, to diff against the golden (the assertion's diff is truncated).
          mkdirSync(ACTUAL_DIR, { recursive: true });
          writeFileSync(path.join(ACTUAL_DIR, path.basename(golden)), got);
        }
        expect(got, `diff ${golden} ${path.join(ACTUAL_DIR, path.basename(golden))}`).to.equal(want);
      });
    }
  }
});
