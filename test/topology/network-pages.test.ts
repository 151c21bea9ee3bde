// GET /networks, /networks/NAME.svg and /networks/NAME.json over HTTP against the whole
// application (xl-sim in process): authentication as for /cimom, content types and headers,
// unknown and invalid names, the drawing of a network defined in the model.
import { expect } from 'chai';
import { type AppServer, startAppServer } from '../support/app-server.js';
import { defineLab } from './lab.js';

describe('http: GET /networks (the network drawings)', function () {
  this.timeout(30_000);
  let app: AppServer;
  const url = (p: string) => `http://127.0.0.1:${app.port}${p}`;
  const auth = { Authorization: 'Basic ' + Buffer.from('viewer:pw').toString('base64') };
  const get = (p: string, headers: Record<string, string> = auth) => fetch(url(p), { headers });

  before(async () => {
    app = await startAppServer({ users: [{ name: 'viewer', password: 'pw', role: 'reader' }] });
    await defineLab(app);
  });
  after(() => app.close());

  it('refuses every page without valid credentials, as /cimom does', async () => {
    for (const p of ['/networks', '/networks/lab.svg', '/networks/lab.json', '/networks/nope.svg']) {
      const r = await get(p, {});
      expect(r.status, p).to.equal(401);
      expect(r.headers.get('www-authenticate'), p).to.match(/^Basic /);
      expect(await r.text(), p).to.not.include('lab');
    }
    const bad = await get('/networks/lab.svg', { Authorization: 'Basic ' + Buffer.from('viewer:nope').toString('base64') });
    expect(bad.status).to.equal(401);
  });

  it('lists the networks in an HTML page without scripts, linking to their drawings', async () => {
    const r = await get('/networks');
    expect(r.status).to.equal(200);
    expect(r.headers.get('content-type')).to.equal('text/html; charset=utf-8');
    expect(r.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(r.headers.get('cache-control')).to.equal('no-store');
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).to.match(/default-src 'none'/);
    expect(csp).to.not.match(/script-src/);
    const html = await r.text();
    expect(html).to.not.match(/<script|https?:\/\//i);
    expect(html).to.include('<a class="drawing" href="/networks/lab.svg">lab</a>');
    expect(html).to.include('<td>3</td><td>2</td>');
    // The same list as JSON for a client that asks for it (xen-wbem network list).
    const json = await get('/networks', { ...auth, Accept: 'application/json' });
    expect(json.headers.get('content-type')).to.equal('application/json; charset=utf-8');
    expect(json.headers.get('vary')).to.equal('Accept');
    expect(await json.json()).to.deep.equal([{ name: 'lab', state: 'mixed', routers: 3, links: 2 }]);
  });

  it('serves the drawing as SVG: every router, switch and link with its state', async () => {
    const r = await get('/networks/lab.svg');
    expect(r.status).to.equal(200);
    expect(r.headers.get('content-type')).to.equal('image/svg+xml; charset=utf-8');
    expect(r.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(r.headers.get('content-security-policy')).to.match(/^default-src 'none'/);
    const svg = await r.text();
    expect(svg.match(/<g class="router"/g)).to.have.length(3);
    expect(svg.match(/<g class="link"/g)).to.have.length(2);
    expect(svg.match(/<g class="switch"/g)).to.have.length(3);
    expect(svg).to.include('data-name="r1" data-state="stopped" data-priority="2"');
    expect(svg).to.include('data-name="r2" data-state="running"');
    expect(svg).to.include('data-name="r3" data-state="stopped"');
    expect(svg).to.match(/data-name="r1-r2" data-state="down" data-limit="100000000" data-reservation="20000000"/);
    expect(svg).to.match(/uplink · 9.5 Gbit\/s advertised · 20 Mbit\/s reserved \(0.2%\)/);
  });

  it('serves the picture as JSON, and HEAD without a body', async () => {
    const r = await get('/networks/lab.json');
    expect(r.status).to.equal(200);
    expect(r.headers.get('content-type')).to.equal('application/json; charset=utf-8');
    const picture = await r.json() as { name: string; systems: { name: string }[]; links: { name: string }[] };
    expect(picture.name).to.equal('lab');
    expect(picture.systems.map((s) => s.name)).to.have.members(['r1', 'r2', 'r3']);
    expect(picture.links.map((l) => l.name)).to.deep.equal(['r1-r2', 'b']);
    const head = await fetch(url('/networks/lab.svg'), { method: 'HEAD', headers: auth });
    expect(head.status).to.equal(200);
    expect(Number(head.headers.get('content-length'))).to.be.greaterThan(1000);
    expect(await head.text()).to.equal('');
  });

  it('answers an unknown network 404 and a name that cannot be one 400, in plain text', async () => {
    const r = await get('/networks/nope.svg');
    expect(r.status).to.equal(404);
    expect(r.headers.get('content-type')).to.equal('text/plain; charset=utf-8');
    expect(r.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(await r.text()).to.equal('no network named "nope" (GET /networks lists them)\n');
    for (const p of ['/networks/%3Cscript%3E.svg', '/networks/..%2Fetc.json', '/networks/%E0%A4%A.svg', '/networks/123.svg']) {
      const b = await get(p);
      expect(b.status, p).to.equal(400);
      expect(await b.text(), p).to.match(/^not a network name/);
    }
    for (const p of ['/networks/lab', '/networks/lab.png', '/networks/lab/x.svg']) expect((await get(p)).status, p).to.equal(404);
    const post = await fetch(url('/networks/lab.svg'), { method: 'POST', headers: auth });
    expect(post.status).to.equal(405);
    expect(post.headers.get('allow')).to.equal('GET, HEAD');
  });

  // Changes the lab: last in this file.
  it('draws the current picture: a live bandwidth change and a launched network show at once', async () => {
    const virt = app.server.virt;
    await virt.networks.setLinkBandwidth('lab', 'b', { limitBitsPerSecond: 250_000_000 });
    const change = await virt.networks.requestStateChange('lab', 'running');
    if (change.kind === 'job') await change.job.done;
    const svg = await (await get('/networks/lab.svg')).text();
    expect(svg).to.match(/data-name="b" data-state="up" data-limit="250000000"/);
    expect(svg).to.match(/data-name="r1-r2" data-state="up"/);
    expect(svg).to.include('>250 Mbit/s</tspan>');
    expect(svg.match(/<g class="router" data-name="r\d" data-state="running"/g)).to.have.length(3);
    const list = await (await get('/networks', { ...auth, Accept: 'application/json' })).json();
    expect(list).to.deep.equal([{ name: 'lab', state: 'running', routers: 3, links: 2 }]);
  });
});
