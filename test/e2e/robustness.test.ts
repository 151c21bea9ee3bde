/**
 * Bad input never crashes the server and changes nothing: every captured request, truncated
 * and with bytes flipped (seeded, repeatable), gets an HTTP or CIM error or a normal answer,
 * and the server keeps serving with its systems unchanged.
 */
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startAppServer, type AppServer } from '../support/app-server.js';
import { REPO_ROOT } from '../support/test-server.js';
import { imethodcall } from '../support/cim-client.js';

const DIR = path.join(REPO_ROOT, 'test', 'vectors', 'requests');

/** A small deterministic PRNG (mulberry32) so failures can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function post(port: number, headers: Record<string, string>, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/cimom', headers: { ...headers, 'Content-Length': String(body.length) }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('e2e: malformed requests never crash the server or change state', function () {
  this.timeout(120_000);
  let app: AppServer;
  before(async () => {
    app = await startAppServer({ demo: true });
  });
  after(async () => app?.close());

  it('answers 300 mutated captured requests and keeps serving with nothing changed', async () => {
    const before = JSON.stringify((await app.server.virt.listSystems()).map((s) => [s.name, s.state, s.config.memoryMiB]));
    const random = rng(20261125);
    const files = readdirSync(DIR).sort();
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const raw = readFileSync(path.join(DIR, files[i % files.length]!), 'utf8');
      const split = raw.indexOf('\n\n');
      const headers: Record<string, string> = {};
      for (const line of raw.slice(0, split).split('\n').slice(1)) {
        const c = line.indexOf(':');
        if (c <= 0) continue;
        const name = line.slice(0, c).trim();
        if (!['Authorization', 'Content-Length', 'Host', 'Connection'].includes(name)) headers[name] = line.slice(c + 1).trim();
      }
      // Mutations must not turn a request into a valid destructive one: keep them away from
      // the method names that change state.
      if (/DestroySystem|DefineSystem|RequestStateChange|Modify|Delete|Create/.test(headers.CIMMethod ?? '')) continue;
      const body = Buffer.from(raw.slice(split + 2), 'utf8');
      const mutated = Buffer.from(body);
      const kind = i % 3;
      let sent: Buffer;
      if (kind === 0) sent = mutated.subarray(0, Math.floor(random() * mutated.length));
      else {
        const flips = 1 + Math.floor(random() * 8);
        for (let f = 0; f < flips; f++) mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
        sent = kind === 1 ? mutated : Buffer.concat([mutated, Buffer.from('<<<&&&]]>')]);
      }
      const status = await post(app.port, headers, sent);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      expect(status, `request ${i} (${files[i % files.length]})`).to.be.oneOf([200, 400, 406, 413, 415, 501]);
    }
    expect(statuses.get(400) ?? 0, JSON.stringify([...statuses])).to.be.greaterThan(10);
    const ok = await post(app.port, { 'Content-Type': 'application/xml; charset="utf-8"', CIMOperation: 'MethodCall', CIMMethod: 'EnumerateClassNames', CIMObject: 'root/virt' }, Buffer.from(imethodcall('EnumerateClassNames', 'root/virt')));
    expect(ok).to.equal(200);
    const after = JSON.stringify((await app.server.virt.listSystems()).map((s) => [s.name, s.state, s.config.memoryMiB]));
    expect(after).to.equal(before);
    expect(app.log.join('\n')).to.not.match(/unexpectedly/);
  });

  it('refuses an entity expansion bomb at once', async () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><CIM CIMVERSION="2.0" DTDVERSION="2.0">&lol3;</CIM>';
    const t0 = performance.now();
    const status = await post(app.port, { 'Content-Type': 'application/xml', CIMOperation: 'MethodCall', CIMMethod: 'GetClass', CIMObject: 'root/virt' }, Buffer.from(bomb));
    expect(status).to.equal(400);
    expect(performance.now() - t0).to.be.below(1000);
  });
});
