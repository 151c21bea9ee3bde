/**
 * A CIM-XML indication listener for tests: it checks an export request as pywbem's WBEMListener
 * does (POST only, Content-Type text/xml or application/xml with utf-8, a CIM 2.x / MESSAGE 1.x
 * SIMPLEEXPREQ with EXPMETHODCALL ExportIndication and one NewIndication INSTANCE) and answers
 * with its byte layout; what it accepts is kept in order of arrival.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CimInstance } from '../../src/cim/index.js';
import { parseEmbeddedObject } from '../../src/cimxml/index.js';

export interface ExportListener {
  port: number;
  url: string;
  received: CimInstance[];
  /** Resolves once `n` indications in all have arrived. */
  waitFor(n: number, ms?: number): Promise<CimInstance[]>;
  close(): Promise<void>;
}

function answer(res: http.ServerResponse, id: string, error?: { code: number; text: string }): void {
  const inner = error ? `<EXPMETHODRESPONSE NAME="ExportIndication"><ERROR CODE="${error.code}" DESCRIPTION="${error.text}"/></EXPMETHODRESPONSE>` : '<EXPMETHODRESPONSE NAME="ExportIndication"/>';
  const body = `<?xml version="1.0" encoding="utf-8" ?>\n<CIM CIMVERSION="2.0" DTDVERSION="2.4"><MESSAGE ID="${id}" PROTOCOLVERSION="1.4"><SIMPLEEXPRSP>${inner}</SIMPLEEXPRSP></MESSAGE></CIM>`;
  res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body), CIMExport: 'MethodResponse' });
  res.end(body);
}

function refuse(res: http.ServerResponse, status: number, cimError: string, details: string): void {
  res.writeHead(status, { CIMExport: 'MethodResponse', CIMError: cimError, CIMErrorDetails: details });
  res.end();
}

export async function startExportListener(port = 0, received: CimInstance[] = []): Promise<ExportListener> {
  const waiters: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST' });
      return res.end();
    }
    const ct = req.headers['content-type'] ?? '';
    if (!/^(text|application)\/xml\s*(;\s*charset="?utf-8"?)?\s*$/i.test(ct)) return refuse(res, 406, 'header-mismatch', `bad Content-Type ${ct}`);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const xml = Buffer.concat(chunks).toString('utf8');
      const m = /<CIM CIMVERSION="2\.[^"]*" DTDVERSION="2\.[^"]*"><MESSAGE ID="([^"]*)" PROTOCOLVERSION="1\.[^"]*"><SIMPLEEXPREQ><EXPMETHODCALL NAME="([^"]*)">(?:<EXPPARAMVALUE NAME="([^"]*)">)?/.exec(xml);
      if (!m) return refuse(res, 400, 'request-not-well-formed', 'not an export request');
      if (m[2] !== 'ExportIndication') return answer(res, m[1]!, { code: 7, text: `unknown method ${m[2]}` });
      const inst = /<INSTANCE[\s\S]*<\/INSTANCE>/.exec(xml);
      if (m[3] !== 'NewIndication' || !inst) return answer(res, m[1]!, { code: 4, text: 'NewIndication required' });
      received.push(parseEmbeddedObject(inst[0]) as CimInstance);
      answer(res, m[1]!);
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    received,
    async waitFor(n, ms = 5000) {
      const deadline = Date.now() + ms;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`listener received ${received.length} of ${n} indications`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
