/** What a hostile or broken listener can cost the server: bounded time and memory per export. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { CimInstance } from '../../../src/cim/index.js';
import { IndicationDelivery } from '../../../src/indication-delivery.js';
import { startLifecycleIndications } from '../../../src/providers/dsp1054-indications/index.js';
import { INTEROP_NS } from '../../../src/providers/index.js';
import { createAs as create, watcher, worldWithRouter } from '../indication-watch.js';
import { inst, req, runTo } from '../fixture.js';
import { startExportListener, type ExportListener } from '../../support/export-listener.js';

const indication = (): CimInstance => {
  const i = new CimInstance('CIM_AlertIndication');
  i.set('Description', 'x');
  return i;
};

async function serve(handler: http.RequestListener): Promise<{ url: string; server: http.Server; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return { url, server, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

/** A listener that answers every export; its first answer `firstDelayMs` late. */
async function liveListener(firstDelayMs = 0): Promise<{ url: string; close(): Promise<void>; received(n: number): Promise<number> }> {
  let count = 0;
  let first = true;
  const l = await serve((r, res) => {
    r.resume();
    r.on('end', () => {
      const answer = (): void => {
        count++;
        res.writeHead(200, { 'Content-Type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="utf-8" ?><CIM CIMVERSION="2.0" DTDVERSION="2.4"><MESSAGE ID="1" PROTOCOLVERSION="1.4"><SIMPLEEXPRSP><EXPMETHODRESPONSE NAME="ExportIndication"/></SIMPLEEXPRSP></MESSAGE></CIM>');
      };
      if (first && firstDelayMs > 0) setTimeout(answer, firstDelayMs);
      else answer();
      first = false;
    });
  });
  return {
    url: l.url,
    close: () => l.close(),
    /** How many it received once `n` arrived, or after 5 s. */
    async received(n) {
      const t0 = Date.now();
      while (count < n && Date.now() - t0 < 5_000) await new Promise((r) => setTimeout(r, 10));
      return count;
    },
  };
}

/** 40 rounds of one indication to each of ten silent listeners and one to the live one. */
async function burst(d: IndicationDelivery, silentUrl: string, liveUrl: string): Promise<void> {
  for (let i = 0; i < 40; i++) {
    for (let n = 0; n < 10; n++) d.send({ id: `dead${n}`, url: silentUrl }, indication());
    d.send({ id: 'live', url: liveUrl }, indication());
    if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5));
  }
}

describe('indication delivery: a hostile listener', function () {
  this.timeout(20_000);

  it('a destination stored with a user and password in its URL sends them to nobody, nor logs them', async () => {
    const auth: (string | undefined)[] = [];
    const ok = '<?xml version="1.0" encoding="utf-8" ?>\n<CIM CIMVERSION="2.0" DTDVERSION="2.4"><MESSAGE ID="1" PROTOCOLVERSION="1.4"><SIMPLEEXPRSP><EXPMETHODRESPONSE NAME="ExportIndication"/></SIMPLEEXPRSP></MESSAGE></CIM>';
    const l = await serve((req, res) => {
      auth.push(req.headers.authorization);
      req.resume();
      req.on('end', () => res.end(ok));
    });
    const logs: string[] = [];
    const d = new IndicationDelivery({ retryAttempts: 0, retryIntervalMs: 10, timeoutMs: 2000, log: (x) => logs.push(x) });
    try {
      d.send({ id: 'd', url: l.url.replace('http://', 'http://alice:secret@') }, indication());
      await d.idle(10);
      expect(d.counts).to.include({ delivered: 1 });
      expect(auth).to.deep.equal([undefined]);
      // ...nor logs them
      d.send({ id: 'gone', url: 'http://alice:secret@127.0.0.1:1/listener' }, indication());
      await d.idle(10);
      expect(logs.join('\n')).to.contain('indication to http://127.0.0.1:1/listener dropped').and.not.contain('secret');
    } finally {
      d.stop();
      await l.close();
    }
  });

  it('a listener that trickles its answer forever is given up after the export timeout, not waited on', async () => {
    const timers: NodeJS.Timeout[] = [];
    const l = await serve((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      // one byte well within the idle timeout, for ever
      timers.push(setInterval(() => res.write(' '), 50));
    });
    const logs: string[] = [];
    const d = new IndicationDelivery({ retryAttempts: 0, retryIntervalMs: 10, timeoutMs: 300, log: (x) => logs.push(x) });
    try {
      d.send({ id: 'd', url: l.url }, indication());
      const t0 = Date.now();
      await d.idle(10);
      expect(Date.now() - t0).to.be.below(3000);
      expect(d.counts).to.include({ delivered: 0, dropped: 1 });
      expect(logs.join('\n')).to.match(/no answer in time/);
    } finally {
      d.stop();
      for (const t of timers) clearInterval(t);
      await l.close();
    }
  });

  it('an answer larger than any export response is cut off, not held in memory', async () => {
    let sent = 0;
    const l = await serve((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const more = (): void => {
        while (sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    const logs: string[] = [];
    const d = new IndicationDelivery({ retryAttempts: 0, retryIntervalMs: 10, timeoutMs: 10_000, log: (x) => logs.push(x) });
    try {
      d.send({ id: 'd', url: l.url }, indication());
      await d.idle(10);
      expect(d.counts).to.include({ delivered: 0, dropped: 1 });
      expect(logs.join('\n')).to.match(/answer too large/);
      expect(sent).to.be.below(64 * 1024 * 1024);
    } finally {
      d.stop();
      await l.close();
    }
  });
});

describe('indication delivery: an answer made to be slow to read', function () {
  this.timeout(20_000);

  it('is cut off at 16 KiB: the answer is read with patterns that take time growing with the square of its length', async () => {
    const l = await serve((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      res.end(`<EXPMETHODRESPONSE ${'<ERROR '.repeat(Math.floor((32 * 1024) / 7))}`);
    });
    const logs: string[] = [];
    const d = new IndicationDelivery({ retryAttempts: 0, retryIntervalMs: 10, log: (x) => logs.push(x) });
    try {
      d.send({ id: 'd', url: l.url }, indication());
      await d.idle(10);
      expect(logs.join('\n')).to.match(/answer too large \(over 16384 bytes\)/);
    } finally {
      d.stop();
      await l.close();
    }
  });
});

describe('indication delivery: a listener destination deleted', function () {
  this.timeout(20_000);

  it('is sent nothing more: what it still had queued is dropped, not retried at its URL', async () => {
    const w = await worldWithRouter();
    let posts = 0;
    // a listener that fails every export: the queue keeps retrying
    const l = await serve((r, res) => {
      posts++;
      r.resume();
      res.writeHead(503);
      res.end();
    });
    const d = new IndicationDelivery({ retryAttempts: 1000, retryIntervalMs: 20 });
    const stop = await startLifecycleIndications(w.deps, (dest, i) => d.send(dest, i));
    try {
      const Filter = await create(w, inst('CIM_IndicationFilter', { Name: 'f', QueryLanguage: 'WQL', Query: 'SELECT * FROM CIM_InstModification' }));
      const Handler = await create(w, inst('CIM_ListenerDestinationCIMXML', { Name: 'failing', Destination: l.url }));
      const s = await create(w, inst('CIM_IndicationSubscription', { Filter, Handler }));
      await runTo(w.virt, 'router', 'paused');
      while (posts < 2) await new Promise((r) => setTimeout(r, 10));
      for (const name of [s, Handler, Filter]) await w.ops.intrinsic(req('DeleteInstance', { InstanceName: name }, INTEROP_NS), watcher);
      await d.idle(10); // an export under way finishes; then the queue is forgotten
      expect(d.counts.dropped).to.be.at.least(1);
      const after = posts;
      await new Promise((r) => setTimeout(r, 300));
      expect(posts).to.equal(after);
    } finally {
      stop();
      d.stop();
      await l.close();
      await w.close();
    }
  });
});

describe('indication delivery: listener destinations created and deleted one after the other', function () {
  this.timeout(20_000);

  it('leave nothing behind: the queue of a deleted destination that had nothing left to send is forgotten too', async () => {
    const l = await liveListener();
    const d = new IndicationDelivery({ retryAttempts: 0, retryIntervalMs: 10 });
    try {
      // each one gets its indication, then is deleted while its queue is idle (a user may repeat this at will)
      for (let i = 0; i < 50; i++) {
        let alive = true;
        d.send({ id: `d${i}`, url: `${l.url}${'p'.repeat(4000)}`, live: () => alive }, indication());
        await d.idle(5);
        alive = false;
      }
      d.send({ id: 'last', url: l.url, live: () => true }, indication());
      await d.idle(5);
      expect(await l.received(51)).to.equal(51);
      // each forgotten queue held its URL (up to 4 KiB) and its sequence for as long as the server ran
      expect(d['queues'].size).to.equal(1);
    } finally {
      d.stop();
      await l.close();
    }
  });
});

describe('indication delivery: a destination confined away from the server\'s own host', function () {
  this.timeout(20_000);

  it('is not connected to when its host name resolves to a loopback address', async () => {
    let posts = 0;
    const l = await serve((r, res) => {
      posts++;
      r.resume();
      res.writeHead(200);
      res.end();
    });
    const logs: string[] = [];
    const d = new IndicationDelivery({ retryAttempts: 0, retryIntervalMs: 10, log: (x) => logs.push(x) });
    try {
      d.send({ id: 'd', url: l.url.replace('127.0.0.1', 'localhost'), confined: true }, indication());
      d.send({ id: 'e', url: l.url, confined: true }, indication());
      await d.idle(10);
      expect(posts).to.equal(0);
      expect(d.counts).to.include({ delivered: 0, dropped: 2 });
      expect(logs.join('\n')).to.match(/localhost resolves to 127\.0\.0\.1, on the server's own host/);
      expect(logs.join('\n')).to.match(/127\.0\.0\.1 is on the server's own host/);
    } finally {
      d.stop();
      await l.close();
    }
  });
});

describe('indication delivery: many listeners that do not answer', function () {
  this.timeout(40_000);

  it('hold at most maxQueued indications between them, the queue stuck longest giving way, while a live listener gets all of its own', async () => {
    // accepts and never answers: each export waits for its timeout
    const silent = await serve((r) => void r.resume());
    const alive = await liveListener();
    const logs: string[] = [];
    const d = new IndicationDelivery({ retryAttempts: 0, retryIntervalMs: 10, timeoutMs: 10_000, maxQueue: 1000, maxQueued: 150, log: (x) => logs.push(x) });
    try {
      // the live queue alone never holds more than the bound: its 40 all arrive however slow it is
      // (40 rounds put 440 indications past the bound of 150; a loaded machine sends 40 in time)
      await burst(d, silent.url, alive.url);
      expect(d.queued).to.be.at.most(150);
      expect(await alive.received(40)).to.equal(40);
      expect(logs.join('\n')).to.match(/indications queued for all listeners reached 150: the oldest of the queue stuck longest/);
    } finally {
      d.stop();
      await silent.close();
      await alive.close();
    }
  });
});

describe('indication delivery: a live listener slow on its first answer among silent ones', function () {
  this.timeout(20_000);

  it('loses nothing: between queues stuck equally long, the one that has lost most already gives way', async () => {
    const silent = await serve((r) => void r.resume());
    // As on a loaded machine: its first answer takes 50 ms, while the bound is reached.
    const alive = await liveListener(50);
    const d = new IndicationDelivery({ retryAttempts: 0, retryIntervalMs: 10, timeoutMs: 10_000, maxQueue: 1000, maxQueued: 150 });
    try {
      await burst(d, silent.url, alive.url);
      expect(await alive.received(40), 'indications the live listener received').to.equal(40);
      expect(d.queued).to.be.at.most(150);
    } finally {
      d.stop();
      await silent.close();
      await alive.close();
    }
  });
});

describe('indication delivery: indications dropped from a full queue', function () {
  this.timeout(20_000);

  it('leave a gap in the SequenceNumbers the listener receives, so it knows it missed them', async () => {
    const first = await startExportListener();
    const port = first.port;
    await first.close();
    const d = new IndicationDelivery({ retryAttempts: 1000, retryIntervalMs: 30, maxQueue: 2 });
    let l: ExportListener | undefined;
    try {
      for (let i = 0; i < 5; i++) d.send({ id: 'd', url: `http://127.0.0.1:${port}/` }, indication());
      // the first is being sent (numbered 0) and goes on; of the four behind it, the last one is kept
      l = await startExportListener(port);
      await d.idle(10);
      expect(l.received.map((i) => Number(i.get('SequenceNumber')))).to.deep.equal([0, 4]);
      expect(d.counts).to.include({ delivered: 2, dropped: 3 });
    } finally {
      d.stop();
      await l?.close();
    }
  });
});
