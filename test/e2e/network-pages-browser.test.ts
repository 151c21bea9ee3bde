// The network pages in a real browser (Debian's chromium, headless, driven by playwright-core):
// log in with HTTP credentials, open the list, follow the link to a drawing, take a screenshot
// and check what the browser rendered (elements, their names as text, their place on screen).
// One browser for the whole file. Chromium missing is a failure, not a skip: .ci/run installs it.
import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { type AppServer, startAppServer } from '../support/app-server.js';
import { renderNetworkSvg } from '../../src/topology/index.js';
import { defineLab } from '../topology/lab.js';
import { ringPicture } from '../topology/pictures.js';

const CHROMIUM = process.env.XEN_WBEM_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Width, height and the number of distinct byte values of the decompressed image data of a PNG. */
function inspectPng(png: Buffer): { width: number; height: number; distinctBytes: number } {
  expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'PNG signature').to.equal(true);
  const idat: Buffer[] = [];
  let width = 0;
  let height = 0;
  for (let at = 8; at < png.length;) {
    const len = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') { width = data.readUInt32BE(0); height = data.readUInt32BE(4); }
    if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  return { width, height, distinctBytes: new Set(raw).size };
}

describe('browser: the network pages in headless Chromium', function () {
  this.timeout(90_000);
  let app: AppServer;
  let browser: Browser;
  const url = (p: string) => `http://127.0.0.1:${app.port}${p}`;

  before(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install the Debian package chromium (.ci/run does) or set XEN_WBEM_CHROMIUM`);
    [app, browser] = await Promise.all([
      startAppServer({ users: [{ name: 'viewer', password: 'pw', role: 'reader' }] }),
      chromium.launch({ executablePath: CHROMIUM, args: ARGS }),
    ]);
    await defineLab(app);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it('is refused without credentials', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      // Headless Chromium has no login prompt: a 401 without credentials to offer ends the navigation.
      const status = await page.goto(url('/networks')).then((r) => r?.status(), (e: Error) => e.message);
      expect(String(status)).to.match(/^401$|ERR_INVALID_AUTH_CREDENTIALS/);
      expect(await page.locator('a.drawing').count()).to.equal(0);
    } finally {
      await context.close();
    }
  });

  it('logs in, lists the network, follows its link and shows the drawing with every element named', async () => {
    const context = await browser.newContext({ httpCredentials: { username: 'viewer', password: 'pw' }, javaScriptEnabled: true });
    try {
      const page = await context.newPage();
      const list = await page.goto(url('/networks'));
      expect(list?.status()).to.equal(200);
      expect(await page.locator('h1').innerText()).to.equal('Virtual networks');
      const rows = page.locator('tr.network');
      expect(await rows.count()).to.equal(1);
      expect(await rows.first().innerText()).to.match(/^lab\s+mixed\s+3\s+2\s+json$/);

      // The page's Content-Security-Policy forbids scripts: an injected one does not run.
      await page.addScriptTag({ content: 'globalThis.injected = true;' }).catch(() => undefined);
      expect(await page.evaluate(() => (globalThis as { injected?: boolean }).injected)).to.equal(undefined);

      await Promise.all([page.waitForURL(url('/networks/lab.svg')), page.locator('a.drawing', { hasText: 'lab' }).click()]);
      // A screenshot of the whole drawing: the viewport is made its size (SVG documents have no body to scroll).
      const size = await page.locator('svg').evaluate((svg: unknown) => {
        const s = svg as { width: { baseVal: { value: number } }; height: { baseVal: { value: number } } };
        return { width: Math.ceil(s.width.baseVal.value), height: Math.ceil(s.height.baseVal.value) };
      });
      expect(size.width).to.be.within(400, 4000);
      await page.setViewportSize(size);
      const png = await page.screenshot({ type: 'png' });
      const shot = inspectPng(png);
      expect(shot.width).to.equal(size.width);
      expect(shot.height).to.equal(size.height);
      expect(png.length).to.be.greaterThan(10_000);
      expect(shot.distinctBytes, 'a drawing, not a blank page').to.be.greaterThan(64);

      // What the browser rendered: the elements and the names it drew as text.
      expect(await page.locator('g.router').count()).to.equal(3);
      expect(await page.locator('g.switch').count()).to.equal(3);
      expect(await page.locator('g.link').count()).to.equal(2);
      expect(await page.locator('g.router text.name').allTextContents()).to.deep.equal(['r1', 'r2', 'r3']);
      expect(await page.locator('g.router text.state').allTextContents()).to.deep.equal(['stopped', 'running', 'stopped']);
      expect(await page.locator('g.link tspan.name').allTextContents()).to.deep.equal(['r1-r2', 'b']);
      expect(await page.locator('g.link tspan.bandwidth').allTextContents()).to.deep.equal(['100 Mbit/s · ≥20 Mbit/s', '1 Gbit/s']);
      expect(await page.locator('g.switch[data-kind="shared"] text.name').allTextContents()).to.deep.equal(['xenbr1']);
      expect(await page.locator('line.attachment[data-switch="xenbr1"]').count()).to.equal(3);
      // Every router is drawn inside the picture, in its state's colour, apart from the others.
      const boxes = await page.locator('g.router circle').evaluateAll((els: unknown[]) => els.map((e) => {
        const el = e as { getBoundingClientRect(): { x: number; y: number; width: number; height: number } };
        const r = el.getBoundingClientRect();
        const style = (globalThis as unknown as { getComputedStyle(e: unknown): { fill: string } }).getComputedStyle(e);
        return { x: r.x, y: r.y, w: r.width, h: r.height, fill: style.fill };
      }));
      for (const b of boxes) {
        expect(b.w).to.be.greaterThan(20);
        expect(b.x).to.be.within(0, size.width - b.w);
        expect(b.y).to.be.within(0, size.height - b.h);
      }
      expect(boxes.map((b) => b.fill)).to.deep.equal(['rgb(97, 97, 97)', 'rgb(46, 125, 50)', 'rgb(97, 97, 97)']);
      expect(await page.locator('g.uplink text').textContent()).to.match(/^uplink · .* advertised · .* reserved/);
    } finally {
      await context.close();
    }
  });

  it('keeps a drawing readable from 2 to 100 routers: nothing covers another element, nothing outside the picture', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xen-wbem-drawings-'));
    const page = await browser.newPage();
    try {
      for (const n of [2, 3, 4, 5, 6, 12, 40, 100]) {
        const file = path.join(dir, `ring-${n}.svg`);
        writeFileSync(file, renderNetworkSvg(ringPicture(n)));
        await page.goto(`file://${file}`);
        // Screen boxes of every label, router and switch, by the element they belong to. Labels
        // turned along the radius (many links or routers) have no tight box: they are apart by angle.
        const found = await page.evaluate(() => {
          const doc = (globalThis as unknown as { document: { documentElement: { getBoundingClientRect(): { width: number; height: number } }; querySelectorAll(s: string): ArrayLike<unknown> } }).document;
          type El = { getAttribute(a: string): string | null; closest(s: string): El | null; getBoundingClientRect(): { x: number; y: number; width: number; height: number } };
          const items = Array.from(doc.querySelectorAll('g.router > *:not(title), g.switch > rect, g.link > text') as ArrayLike<El>)
            .filter((e) => e.getAttribute('transform') === null)
            .map((e) => ({ owner: e.closest('g[data-name]')!.getAttribute('data-name'), box: e.getBoundingClientRect() }));
          const clashes: string[] = [];
          for (let i = 0; i < items.length; i++) {
            for (let j = i + 1; j < items.length; j++) {
              const a = items[i]!;
              const b = items[j]!;
              if (a.owner === b.owner) continue;
              if (a.box.x < b.box.x + b.box.width && b.box.x < a.box.x + a.box.width && a.box.y < b.box.y + b.box.height && b.box.y < a.box.y + a.box.height) clashes.push(`${a.owner}/${b.owner}`);
            }
          }
          const whole = doc.documentElement.getBoundingClientRect();
          const outside = Array.from(doc.querySelectorAll('text') as ArrayLike<El>).filter((t) => {
            const r = t.getBoundingClientRect();
            return r.x < 0 || r.y < 0 || r.x + r.width > whole.width || r.y + r.height > whole.height;
          }).length;
          return { clashes, outside, measured: items.length };
        });
        expect(found.clashes, `${n} routers`).to.deep.equal([]);
        expect(found.outside, `${n} routers`).to.equal(0);
        expect(found.measured, `${n} routers`).to.be.at.least(n);
      }
    } finally {
      await page.close();
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    }
  });
});
