/**
 * Issue 2: every request captured from wbemcli, pywbem and pywbemcli (test/vectors/requests,
 * byte-exact) replayed against the application, checked against test/vectors/expected.json.
 */
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { all, first, parseXml, text, type XmlNode } from '../support/cim-client.js';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { REPO_ROOT } from '../support/test-server.js';

const DIR = path.join(REPO_ROOT, 'test', 'vectors');
const SYSTEM = '4f6b1c1e-0000-4000-8000-000000000001';

interface Expected {
  status: number;
  returns?: [string, number];
  error?: number;
  returnValue?: number;
  endOfSequence?: boolean;
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

function send(port: number, c: Capture): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; trailers: NodeJS.Dict<string> }> {
  return new Promise((resolve, reject) => {
    const headers = { ...c.headers, Host: `127.0.0.1:${port}` };
    const req = http.request({ host: '127.0.0.1', port, method: c.method, path: c.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        // pywbem asks for gzip (Accept-Encoding), and gets it.
        const raw = Buffer.concat(chunks);
        const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body.toString('utf8'), trailers: res.trailers });
      });
    });
    req.on('error', reject);
    req.end(c.body);
  });
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
    app = await startAppServer({ hostName: 'host1', users: [{ name: 'pegasus', password: 's3cret', role: 'admin' }] });
  });
  after(async () => app?.close());

  it('has an expectation for every capture', () => {
    expect(readdirSync(path.join(DIR, 'requests')).sort()).to.deep.equal(Object.keys(expected).sort());
  });

  for (const [file, want] of Object.entries(expected)) {
    const variants: [string, (c: Capture) => Capture, Expected][] = [['as captured', (c) => c, want]];
    if (want.adapted) variants.push(['with our VSMS keys', adapt, { status: 200, returnValue: want.adapted.returnValue }]);
    for (const [label, transform, exp] of variants) {
      it(`${file} (${label})`, async () => {
        await resetSystem();
        const r = await send(app.port, transform(readCapture(file)));
        expect(r.status, r.body).to.equal(exp.status);
        if (exp.status !== 200) {
          if (exp.status === 401) expect(r.headers['www-authenticate']).to.match(/^Basic realm=/);
          return;
        }
        expect(r.headers.cimoperation).to.equal('MethodResponse');
        const msg = first(first(parseXml(r.body), 'CIM'), 'MESSAGE');
        const sent = /MESSAGE ID="(\d+)"/.exec(readCapture(file).body)![1];
        expect(msg['@ID'], 'the MESSAGE ID is echoed').to.equal(sent);
        const rsp: XmlNode = first(first(msg, 'SIMPLERSP'), 'IMETHODRESPONSE') ?? first(first(msg, 'SIMPLERSP'), 'METHODRESPONSE');
        const err = first(rsp, 'ERROR');
        if (exp.error !== undefined) {
          expect(err, r.body.slice(0, 400)).to.not.equal(undefined);
          expect(Number(err['@CODE'])).to.equal(exp.error);
          return;
        }
        expect(err, err ? String(err['@DESCRIPTION']) : '').to.equal(undefined);
        if (exp.returnValue !== undefined) {
          expect(Number(text(first(first(rsp, 'RETURNVALUE'), 'VALUE')))).to.equal(exp.returnValue);
        }
        if (exp.returns) {
          const [tag, min] = exp.returns;
          expect(all(first(rsp, 'IRETURNVALUE'), tag).length, `${tag} in IRETURNVALUE`).to.be.at.least(min);
        }
        if (exp.endOfSequence !== undefined) {
          const eos = all(rsp, 'PARAMVALUE').find((p) => p['@NAME'] === 'EndOfSequence');
          expect(text(first(eos, 'VALUE'))).to.equal(exp.endOfSequence ? 'TRUE' : 'FALSE');
        }
        if (exp.chunkedWithTrailer) {
          expect(r.headers['transfer-encoding']).to.equal('chunked');
          expect(r.trailers.cimstatuscode).to.equal('0');
        }
      });
    }
  }
});
