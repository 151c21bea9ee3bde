/**
 * Pipelined requests (RFC 9112 §9.3.2): Node parses and hands over every request a connection
 * sends without waiting for the answers, so one connection could otherwise run any number of
 * requests at once, past the connection cap.
 */
import { expect } from 'chai';
import { CIM_HEADERS, RawClient, rawRequest, start, type Harness } from './helpers.js';
import { DEFAULT_MAX_PIPELINED } from '../../src/http/app.js';

describe('http app: pipelined requests', () => {
  let h: Harness;
  let running = 0;
  let most = 0;
  before(async () => {
    h = await start(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 200));
      running--;
      return { kind: 'cim', chunks: ['<ok/>'] };
    });
  });
  after(async () => { await h.close(); });
  beforeEach(() => { most = 0; h.logs.length = 0; });

  it(`answers up to ${DEFAULT_MAX_PIPELINED} pipelined requests in order`, async () => {
    const c = await RawClient.connect(h.port);
    try {
      c.write(Buffer.concat(Array.from({ length: DEFAULT_MAX_PIPELINED }, () => rawRequest(CIM_HEADERS))));
      for (let i = 0; i < DEFAULT_MAX_PIPELINED; i++) expect((await c.response()).status).to.equal(200);
      expect(c.closed).to.equal(false);
    } finally { c.close(); }
  });

  it('closes a connection that pipelines more: no more than the bound run at once', async () => {
    const c = await RawClient.connect(h.port);
    try {
      c.write(Buffer.concat(Array.from({ length: 2000 }, () => rawRequest(CIM_HEADERS))));
      const until = Date.now() + 5000;
      while (!c.closed && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(c.closed).to.equal(true);
      expect(most).to.be.at.most(DEFAULT_MAX_PIPELINED);
      expect(h.logs.join('\n')).to.match(/too many pipelined requests/);
    } finally { c.close(); }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(running).to.equal(0);
  });
});
